package store

import (
	"encoding/json"
	"testing"

	"github.com/vigil-sre/vigil/internal/alert"
)

// The hand-written encoder must write exactly what encoding/json writes, so
// rows stay byte-for-byte what they were and any reader decodes them.
func TestLabelsJSONMatchesEncodingJSON(t *testing.T) {
	cases := []map[string]string{
		nil,
		{},
		{"alertname": "HighLatency", "instance": "web-1:9100", "severity": "page"},
		{"q": `say "hi" \ there`, "ctl": "a\x00b\x1fc\n\r\t", "html": "<script>&</script>"},
		{"bad": "\xff\xfe ok \xc3", "ls": "a\u2028b\u2029c", "emoji": "🔥 ünïcode", "": "empty key"},
	}
	for _, m := range cases {
		want := jsonText(m, "{}")
		if got := labelsJSON(m, "{}"); got != want {
			t.Errorf("labelsJSON(%q)\n got %s\nwant %s", m, got, want)
		}
	}
}

// So must the links' and the list's encoders, with none written as "[]".
func TestLinksAndStringsJSONMatchEncodingJSON(t *testing.T) {
	for _, links := range [][]alert.Link{
		nil, {},
		{{Href: "https://grafana/d/1?a=1&b=<2>", Text: "Dashboard \"one\""}},
		{{Href: "http://x"}, {Href: "https://y/\xff\u2028", Text: "🔥\n"}},
	} {
		want := jsonText(links, "[]")
		if got := linksJSON(links); got != want {
			t.Errorf("linksJSON(%q)\n got %s\nwant %s", links, got, want)
		}
	}
	for _, list := range [][]string{nil, {}, {"channel/ops"}, {"person/a\"b", "<x>&\x00", "\xff"}} {
		want := jsonText(list, "[]")
		if got := stringsJSON(list); got != want {
			t.Errorf("stringsJSON(%q)\n got %s\nwant %s", list, got, want)
		}
	}
}

func FuzzLinksJSON(f *testing.F) {
	f.Add("https://grafana/d/1", "Dashboard <&>", "", "\xff\u2028")
	f.Fuzz(func(t *testing.T, h1, t1, h2, t2 string) {
		links := []alert.Link{{Href: h1, Text: t1}, {Href: h2, Text: t2}}
		want, _ := json.Marshal(links)
		if got := linksJSON(links); got != string(want) {
			t.Fatalf("linksJSON(%q) = %s, encoding/json wrote %s", links, got, want)
		}
		if got, want := stringsJSON([]string{h1, t1}), jsonText([]string{h1, t1}, "[]"); got != want {
			t.Fatalf("stringsJSON = %s, encoding/json wrote %s", got, want)
		}
	})
}

func FuzzLabelsJSON(f *testing.F) {
	f.Add("alertname", "Disk <full> & \"slow\"\n", "k2", "\xff\u2028")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2 string) {
		m := map[string]string{k1: v1, k2: v2}
		want, _ := json.Marshal(m)
		if got := labelsJSON(m, "{}"); got != string(want) {
			t.Fatalf("labelsJSON(%q) = %s, encoding/json wrote %s", m, got, want)
		}
	})
}

func BenchmarkLabelsJSON(b *testing.B) {
	m := map[string]string{"alertname": "load-G1", "instance": "load-17", "bench": "load", "service": "bench",
		"severity": "warning", "job": "node"}
	b.Run("encoding/json", func(b *testing.B) {
		for b.Loop() {
			jsonText(m, "{}")
		}
	})
	b.Run("labelsJSON", func(b *testing.B) {
		for b.Loop() {
			labelsJSON(m, "{}")
		}
	})
}
