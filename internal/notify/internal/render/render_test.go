package render

import (
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/notify"
)

func TestSeverity(t *testing.T) {
	for in, want := range map[string]string{
		"critical": Critical, "CRIT": Critical, " page ": Critical, "P1": Critical,
		"error": Error, "major": Error, "high": Critical, "sev2": Error,
		"warning": Warning, "warn": Warning, "minor": Warning,
		"info": Info, "low": Info, "": "", "Custom": "custom",
	} {
		if got := Severity(in); got != want {
			t.Errorf("Severity(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestWorst(t *testing.T) {
	cases := []struct {
		name   string
		alerts []notify.Alert
		want   string
	}{
		{"none", nil, ""},
		{"worst open wins", []notify.Alert{{Severity: "info"}, {Severity: "critical", Status: "resolved"}, {Severity: "warn"}}, Warning},
		{"all resolved", []notify.Alert{{Severity: "critical", Status: "resolved"}}, ""},
		{"unknown still counts", []notify.Alert{{Severity: "weird"}}, "weird"},
	}
	for _, c := range cases {
		if got := Worst(c.alerts); got != c.want {
			t.Errorf("%s: Worst = %q, want %q", c.name, got, c.want)
		}
	}
}

func TestAge(t *testing.T) {
	at := time.Date(2026, 11, 27, 22, 4, 0, 0, time.UTC)
	for d, want := range map[time.Duration]string{
		0: "", -time.Minute: "", 45 * time.Second: "45s", 12 * time.Minute: "12m",
		3 * time.Hour: "3h", 3*time.Hour + 4*time.Minute: "3h 4m", 51 * time.Hour: "2d 3h", 48 * time.Hour: "2d",
	} {
		if got := Age(at.Add(-d), at); got != want {
			t.Errorf("Age(%v) = %q, want %q", d, got, want)
		}
	}
	if got := Age(time.Time{}, at); got != "" {
		t.Errorf("Age(zero) = %q", got)
	}
}

func TestKeyLabels(t *testing.T) {
	labels := map[string]string{"zone": "a", "severity": "critical", "instance": "web-1", "alertname": "Down", "app": "shop", "empty": ""}
	got, more := KeyLabels(labels, 3, "severity")
	if s := labelString(got); s != "alertname=Down instance=web-1 app=shop" || more != 1 {
		t.Errorf("KeyLabels = %s, %d more", s, more)
	}
	got, more = KeyLabels(labels, 10)
	if s := labelString(got); s != "alertname=Down instance=web-1 app=shop severity=critical zone=a" || more != 0 {
		t.Errorf("KeyLabels = %s, %d more", s, more)
	}
}

func labelString(ls []Label) string {
	var parts []string
	for _, l := range ls {
		parts = append(parts, l.Key+"="+l.Value)
	}
	return strings.Join(parts, " ")
}

func TestText(t *testing.T) {
	cases := []struct{ name, got, want string }{
		{"one line", OneLine("  a\r\nBcc: x@y\t b  "), "a Bcc: x@y b"},
		{"truncate short", Truncate("héllo", 5), "héllo"},
		{"truncate", Truncate("héllo world", 6), "héllo…"},
		{"excerpt at line", Excerpt("first line here and\nsecond line is long", 25), "first line here and…"},
		{"excerpt at word", Excerpt("one two three four five six", 20), "one two three four…"},
		{"excerpt whole", Excerpt("  short  ", 20), "short"},
		{"redact", Redact("POST /services/T/B/abcd failed; key abcd", "/services/T/B/abcd", "abcd", "ab"), "POST <redacted> failed; key <redacted>"},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestWebURL(t *testing.T) {
	for s, want := range map[string]bool{
		"https://x.example/a": true, "http://127.0.0.1:9000/": true,
		"javascript:alert(1)": false, "/relative": false, "mailto:a@b": false, "https://": false, "": false,
	} {
		if got := WebURL(s); got != want {
			t.Errorf("WebURL(%q) = %v", s, got)
		}
	}
}
