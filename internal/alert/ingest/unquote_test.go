package ingest

import (
	"encoding/json"
	"testing"
)

// FuzzUnquote holds unquote to encoding/json for every JSON string body:
// escapes, surrogate pairs whole and broken, bytes that are not UTF-8.
//
//	go test -run '^$' -fuzz '^FuzzUnquote$' -fuzztime 30s ./internal/alert/ingest/
func FuzzUnquote(f *testing.F) {
	for _, s := range []string{
		`plain`, `a\nb\tc\r\f\b`, `\"quoted\" \\ \/`, `http://x/graph?g0.expr=up\u0026g0.tab=1`,
		`\u00e9\u4e16\ud83d\ude00`, `\ud800`, `\ud800x`, `\ud800\u0041`, `\udc00\ud800`, `\ud83d\ude00\ud83d`,
		`\uD83D\uDE00`, "\xff\xfe", "caf\xc3", "\xe2\x82\xac \xe2\x82", `\u0000`, `\\u0041`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		quoted := append(append([]byte{'"'}, body...), '"')
		var want string
		if err := json.Unmarshal(quoted, &want); err != nil || !validJSON(quoted) {
			return // not the body of a JSON string
		}
		got, ok := unquote(body, nil)
		if !ok || string(got) != want {
			t.Fatalf("unquote(%q) = %q, %v; encoding/json reads %q", body, got, ok, want)
		}
	})
}

// An Alertmanager body as Go's encoder writes it, with its & escaped and
// line breaks in an annotation, is read the quick way, to what encoding/json
// reads.
func TestEscapedStringsReadTheQuickWay(t *testing.T) {
	body := []byte(`{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"Disk\u0026IO"},` +
		`"annotations":{"description":"line 1\nline 2 \"quoted\" \ud83d\ude00 \ud800"},` +
		`"generatorURL":"http://prom/graph?g0.expr=up\u0026g0.tab=1","fingerprint":"f"}]}`)
	var quick, slow amMessage
	if !scanAlertmanager(body, &quick) {
		t.Fatal("the quick way refused a body with escapes")
	}
	if err := json.Unmarshal(body, &slow); err != nil {
		t.Fatal(err)
	}
	a, b := quick.Alerts[0], slow.Alerts[0]
	if a.GeneratorURL != b.GeneratorURL || a.Labels["alertname"] != b.Labels["alertname"] || a.Annotations["description"] != b.Annotations["description"] {
		t.Fatalf("quick %+v\nslow  %+v", a, b)
	}
	if a.GeneratorURL != "http://prom/graph?g0.expr=up&g0.tab=1" || a.Annotations["description"] != "line 1\nline 2 \"quoted\" \U0001F600 \uFFFD" {
		t.Fatalf("read %q and %q", a.GeneratorURL, a.Annotations["description"])
	}
}
