package secret

import (
	"strings"
	"testing"
)

func TestShowURL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"http://127.0.0.1:8931/hook", "http://127.0.0.1:8931/hook"},
		{"https://hooks.slack.com/services/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", "https://hooks.slack.com/services/<redacted>/<redacted>/<redacted>"},
		{"https://ops.example/api/v1/order-events?token=abc&format=json", "https://ops.example/api/v1/order-events?format=<redacted>&token=<redacted>"},
		{"https://bot:hunter22@chat.example/hooks/3f2a9c1e-7b44-4c1d-9f0e-2a1b3c4d5e6f", "https://chat.example/hooks/<redacted>"},
		{"https://ci.example/trigger/AbCdEfGhIjKlMnOpQrStUv", "https://ci.example/trigger/<redacted>"},
		{"not a url", Redacted},
	}
	for _, c := range cases {
		if got := ShowURL(c.in); got != c.want {
			t.Errorf("ShowURL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestScrubURL(t *testing.T) {
	raw := "http://deploy:s3cretPass@10.0.0.5:8080/drain/Tk9aX81bq?token=q7Zr9&node=web-1"
	text := `Post "http://deploy:***@10.0.0.5:8080/drain/Tk9aX81bq?token=q7Zr9&node=web-1": dial tcp 10.0.0.5:8080: connect: connection refused; echo token=q7Zr9 Tk9aX81bq s3cretPass`
	got := ScrubURL(text, raw)
	for _, leak := range []string{"s3cretPass", "Tk9aX81bq", "q7Zr9", "deploy:"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q leaks %q", got, leak)
		}
	}
	want := `Post "http://10.0.0.5:8080/drain/<redacted>?node=<redacted>&token=<redacted>": dial tcp 10.0.0.5:8080: connect: connection refused`
	if !strings.HasPrefix(got, want) {
		t.Errorf("ScrubURL =\n%s\nwant it to start with\n%s", got, want)
	}
	// Words that happen to be in the URL stay words.
	if got := ScrubURL("webhook: POST to channel/legacy failed", "http://127.0.0.1:9/hook"); got != "webhook: POST to channel/legacy failed" {
		t.Errorf("words mangled: %q", got)
	}
}

// A URL that is a secret as a whole shows only where it points.
func TestShowSecretURL(t *testing.T) {
	for raw, want := range map[string]string{
		"http://127.0.0.1:7468/hook/PATHSECRET?token=X":                   "http://127.0.0.1:7468/<redacted>",
		"https://hooks.slack.com/services/T0A1B2C3D/B0E4F5G6H/xoxbXyZsec": "https://hooks.slack.com/<redacted>",
		"https://user:pw@ops.example/":                                    "https://ops.example",
		"https://ops.example":                                             "https://ops.example",
		"not a url":                                                       "<redacted>",
	} {
		if got := ShowSecretURL(raw); got != want {
			t.Errorf("ShowSecretURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
