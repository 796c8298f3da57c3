package secret

import (
	"encoding/json"
	"fmt"
	"testing"
)

func TestSecretsDoNotPrint(t *testing.T) {
	s := New("hunter2")
	b, _ := json.Marshal(map[string]String{"k": s})
	txt, _ := s.MarshalText()
	for _, got := range []string{s.String(), fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), string(b), string(txt)} {
		if got == "" || contains(got, "hunter2") {
			t.Errorf("printed %q", got)
		}
	}
	if s.Reveal() != "hunter2" || New("").String() != "" {
		t.Fatal("Reveal or empty")
	}
}

func TestDSNHidesOnlyThePassword(t *testing.T) {
	for in, want := range map[string]string{
		"postgres://vigil:pa55@db:5432/vigil?sslmode=disable": "postgres://vigil:xxxxx@db:5432/vigil?sslmode=disable",
		"sqlite://vigil.db":   "sqlite://vigil.db",
		"postgres://%zz@host": Redacted,
	} {
		if got := NewDSN(in).String(); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
