package httpcheck

import (
	"reflect"
	"testing"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/secret"
)

func TestValidate(t *testing.T) {
	type problems = []check.Problem
	header := func(name, value string) map[string]secret.String {
		return map[string]secret.String{name: secret.New(value)}
	}
	cases := []struct {
		name string
		spec Spec
		want problems
	}{
		{"minimal", Spec{URL: "https://shop.example/healthz"}, nil},
		{"everything", Spec{URL: "http://127.0.0.1:8081/", Method: "PROPFIND", Headers: header("X-Api-Key", "k\tv"), Host: "shop.example", MaxBody: 10}, nil},
		{"no url", Spec{}, problems{{Field: "url", Message: "is required, e.g. https://shop.example/healthz"}}},
		{"bad url", Spec{URL: "http://[::1"}, problems{{Field: "url", Message: `is not a URL: missing ']' in host`}}},
		{"other scheme", Spec{URL: "ftp://shop.example/"}, problems{{Field: "url", Message: "must start with http:// or https://"}}},
		{"no scheme", Spec{URL: "shop.example/healthz"}, problems{{Field: "url", Message: "must start with http:// or https://"}}},
		{"no host", Spec{URL: "http:///healthz"}, problems{{Field: "url", Message: "has no host"}}},
		{"method not a token", Spec{URL: "http://a/", Method: "GET /"}, problems{{Field: "method", Message: "is not a valid HTTP method"}}},
		{"method lower case", Spec{URL: "http://a/", Method: "post"}, problems{{Field: "method", Message: "is case-sensitive; write POST"}}},
		{"header name", Spec{URL: "http://a/", Headers: header("X Key", "v")}, problems{{Field: "headers.X Key", Message: "is not a valid header name"}}},
		{"header value", Spec{URL: "http://a/", Headers: header("X-Key", "v\r\nX-Evil: 1")},
			problems{{Field: "headers.X-Key", Message: "value contains a control character (such as a newline)"}}},
		{"two hosts", Spec{URL: "http://a/", Host: "b", Headers: header("host", "c")}, problems{{Field: "headers.host", Message: "conflicts with host; set only one"}}},
		{"host", Spec{URL: "http://a/", Host: "b\n"}, problems{{Field: "host", Message: "contains a control character"}}},
		{"max_body", Spec{URL: "http://a/", MaxBody: -1}, problems{{Field: "max_body", Message: "must be a positive number of bytes"}}},
		{"all at once", Spec{Method: "get", MaxBody: -1, Headers: map[string]secret.String{"B:": {}, "A\n": {}}}, problems{
			{Field: "url", Message: "is required, e.g. https://shop.example/healthz"},
			{Field: "method", Message: "is case-sensitive; write GET"},
			{Field: "headers.A\n", Message: "is not a valid header name"},
			{Field: "headers.B:", Message: "is not a valid header name"},
			{Field: "max_body", Message: "must be a positive number of bytes"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.spec.Validate(); !reflect.DeepEqual(got, c.want) {
				t.Errorf("Validate() =\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{
		1: "1 byte", 1000: "1000 bytes", 1024: "1 KiB", 1536: "1.5 KiB", 1 << 20: "1 MiB", 10 << 20: "10 MiB", 1500000: "1.4 MiB",
	} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}
