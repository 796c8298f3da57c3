package store

import (
	"encoding/json"
	"testing"
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
