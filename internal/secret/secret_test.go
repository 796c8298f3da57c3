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
		"postgres://vigil@db/vigil?sslmode=require&password=pa55&sslpassword=pa55&application_name=x": "postgres://vigil@db/vigil?sslmode=require&password=xxxxx&sslpassword=xxxxx&application_name=x",
		"postgres://db/vigil?user=vigil&PassWord=pa55&auth_token=pa55":                                "postgres://db/vigil?user=vigil&PassWord=xxxxx&auth_token=xxxxx",
	} {
		if got := NewDSN(in).String(); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestURLHidesPasswordAndQueryValues(t *testing.T) {
	for in, want := range map[string]string{
		"https://api.example.com/health?api_key=s3cr3t&v=2":   "https://api.example.com/health?api_key=xxxxx&v=xxxxx",
		"https://u:s3cr3t@example.com/x?token=s3cr3t#section": "https://u:xxxxx@example.com/x?token=xxxxx#section",
		"http://127.0.0.1:8081/":                              "http://127.0.0.1:8081/",
		"http://h/?flag&k=%zz":                                "http://h/?flag&k=xxxxx",
		"http://h/?%zz=s3cr3t":                                "http://h/?xxxxx",
	} {
		if got := URL(in); got != want {
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
