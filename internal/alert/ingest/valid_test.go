package ingest

import (
	"encoding/json"
	"strings"
	"testing"
)

// validCases are inputs at every edge of the grammar, each checked against
// encoding/json.Valid, and the seeds of FuzzValidJSON.
var validCases = []string{
	``, ` `, `{}`, `[]`, `""`, `0`, `-0`, `01`, `-`, `1.`, `1.5`, `.5`, `1e`, `1e+`, `1e+5`, `1E-05`, `-1.25e3`,
	`true`, `false`, `null`, `tru`, `nul`, `True`, `truex`, `[1,]`, `[,1]`, `[1 2]`, `{"a":1,}`, `{"a" 1}`,
	`{"a":}`, `{a:1}`, `{"a":1}x`, ` {"a" : [ 1 , {"b" : null} ] } `, `"\u00e9\n\t\"\\\/"`, `"\u00G0"`,
	`"\x"`, `"a` + "\x01" + `b"`, `"a` + "\xff\xfe" + `b"`, `"\u12"`, `"abc`, `[`, `{`, `{"a":1`, `["a"`,
	"\t[\r\n1\n]\n", `{"alerts":[{"labels":{"a":"b"},"startsAt":"2026-11-23T09:00:00Z"}]}`, `[1]]`, `{}}`,
	strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting),
	strings.Repeat("[", maxNesting+1) + strings.Repeat("]", maxNesting+1),
	strings.Repeat(`{"a":`, maxNesting) + "1" + strings.Repeat("}", maxNesting),
	strings.Repeat(`{"a":`, maxNesting+1) + "1" + strings.Repeat("}", maxNesting+1),
}

func TestValidJSON(t *testing.T) {
	for _, c := range validCases {
		if got, want := validJSON([]byte(c)), json.Valid([]byte(c)); got != want {
			t.Errorf("validJSON(%.60q) = %v, encoding/json.Valid says %v", c, got, want)
		}
	}
}

// FuzzValidJSON: validJSON answers as encoding/json.Valid does, for any
// input.
//
//	go test -run '^$' -fuzz '^FuzzValidJSON$' -fuzztime 60s ./internal/alert/ingest/
func FuzzValidJSON(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c))
	}
	seeds(f, "*.json")
	f.Fuzz(func(t *testing.T, body []byte) {
		if got, want := validJSON(body), json.Valid(body); got != want {
			t.Fatalf("validJSON(%q) = %v, encoding/json.Valid says %v", body, got, want)
		}
	})
}
