package cond

import (
	"strings"
	"testing"
	"time"
)

type vars struct {
	Status        int               `expr:"status"`
	Duration      time.Duration     `expr:"duration"`
	CertExpiresIn time.Duration     `expr:"cert_expires_in"`
	Body          string            `expr:"body"`
	JSON          any               `expr:"json"`
	Headers       map[string]string `expr:"headers"`
	FreePercent   float64           `expr:"free_percent"`
	Answers       []string          `expr:"answers"`
	Matches       int               `expr:"matches"`
}

func TestEval(t *testing.T) {
	v := vars{
		Status: 503, Duration: 712 * time.Millisecond, CertExpiresIn: 10 * 24 * time.Hour,
		Body: "oops", JSON: map[string]any{"status": "DOWN", "items": []any{1.0, 2.0}},
		Headers: map[string]string{"content-type": "application/json"}, FreePercent: 12.345,
		Answers: []string{"10.0.0.1"}, Matches: 7,
	}
	cases := []struct {
		src     string
		want    bool
		explain string
		errHas  string
	}{
		{src: `status == 200`, want: false, explain: `status=503`},
		{src: `status >= 500`, want: true},
		{src: `duration < 500ms`, want: false, explain: `duration=712ms`},
		{src: `duration < 1s`, want: true},
		{src: `duration < 0.5s`, want: false},
		{src: `cert_expires_in > 14d`, want: false, explain: `cert_expires_in=240h0m0s`},
		{src: `cert_expires_in > 1w`, want: true},
		{src: `cert_expires_in > 1d12h`, want: true},
		{src: `json.status == "UP"`, want: false, explain: `json.status="DOWN"`},
		{src: `len(json.items) == 2`, want: true},
		{src: `headers["content-type"] contains "json"`, want: true},
		{src: `free_percent > 20`, want: false, explain: `free_percent=12.35`},
		{src: `"10.0.0.1" in answers`, want: true},
		{src: `body == "500ms"`, want: false, explain: `body="oops"`},
		{src: `json.missing.deeper == 1`, want: false, errHas: "cannot fetch deeper"},
		{src: `status == 200 && duration < 500ms`, want: false, explain: `duration=712ms, status=503`},
		{src: `matches < 5`, want: false, explain: `matches=7`},
		{src: `matches >= 5 && body matches "^oo"`, want: true},
		{src: `body matches "^oo" || matches > 3`, want: true},
		{src: `(matches) == 7`, want: true},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			e, err := Compile(c.src, vars{})
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			got, err := e.Eval(v)
			if c.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), c.errHas) {
					t.Fatalf("err = %v, want it to contain %q", err, c.errHas)
				}
				return
			}
			if err != nil {
				t.Fatalf("eval: %v", err)
			}
			if got != c.want {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			if c.explain != "" {
				if ex := e.Explain(v); ex != c.explain {
					t.Fatalf("explain = %q, want %q", ex, c.explain)
				}
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	cases := []struct {
		src    string
		column int
		msg    string
	}{
		{src: `stauts == 200`, column: 1, msg: "unknown name stauts"},
		{src: `status == "200"`, column: 8, msg: "mismatched types int and string"},
		{src: `duration < 500ms && status == "x"`, column: 28, msg: "mismatched types int and string"},
		{src: `status + 1`, column: 1, msg: "expected bool"},
		{src: `duration > 5`, column: 10, msg: "mismatched types time.Duration and int"},
		{src: `   `, column: 1, msg: "empty condition"},
		{src: `status ==`, column: 9, msg: "unexpected token EOF"},
		{src: `matches == "x"`, column: 9, msg: "mismatched types int and string"},
	}
	for _, c := range cases {
		t.Run(c.src, func(t *testing.T) {
			_, err := Compile(c.src, vars{})
			ce, ok := err.(*Error)
			if !ok {
				t.Fatalf("err = %T %v, want *Error", err, err)
			}
			if ce.Column != c.column || !strings.Contains(ce.Msg, c.msg) {
				t.Fatalf("got column %d %q, want column %d containing %q", ce.Column, ce.Msg, c.column, c.msg)
			}
		})
	}
}

func TestRewriteLeavesStringsAndIdentifiersAlone(t *testing.T) {
	for src, want := range map[string]string{
		`body == "5m"`:            `body == "5m"`,
		`x5s == 1`:                `x5s == 1`,
		`a < 5`:                   `a < 5`,
		`a < 5ms`:                 `a < _dur(5000000)`,
		`a < 1.5 && b > 2h`:       `a < 1.5 && b > _dur(7200000000000)`,
		"body == `30s` || d > 1d": "body == `30s` || d > _dur(86400000000000)",
		`'it\'s 1h' == b`:         `'it\'s 1h' == b`,
	} {
		got, _, err := rewrite(src)
		if err != nil || got != want {
			t.Errorf("rewrite(%q) = %q, %v; want %q", src, got, err, want)
		}
	}
}

func TestIdents(t *testing.T) {
	e, err := Compile(`len(json.items) > 0 && status == 200`, vars{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.Idents(), ","); got != "json,status" {
		t.Fatalf("idents = %q", got)
	}
	e, err = Compile(`matches > 2 && body matches "x"`, vars{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(e.Idents(), ","); got != "body,matches" {
		t.Fatalf("idents = %q", got)
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{`status == 200`, `duration < 500ms`, `json.a.b == "x"`, `"5m" == body`, `1d > 2h`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Compile(src, vars{})
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error of type %T", err)
			}
			return
		}
		_, _ = e.Eval(vars{})
		_ = e.Explain(vars{})
	})
}
