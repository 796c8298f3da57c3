package auth

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/secret"
)

func TestScopesAreOrdered(t *testing.T) {
	tokens := New([]config.Token{
		{ID: "reader", Secret: secret.New("r-s3cret"), Scopes: []string{"read"}},
		{ID: "oncall", Secret: secret.New("o-s3cret"), Scopes: []string{"read", "respond"}},
		{ID: "ops", Secret: secret.New("p-s3cret"), Scopes: []string{"operate"}},
		{ID: "root", Secret: secret.New("a-s3cret"), Scopes: []string{"admin"}},
	})
	cases := []struct {
		header string
		scope  Scope
		id     string
		code   errs.Code
	}{
		{"Bearer r-s3cret", Read, "reader", ""},
		{"Bearer r-s3cret", Respond, "", errs.Forbidden},
		{"Bearer o-s3cret", Respond, "oncall", ""},
		{"Bearer o-s3cret", Operate, "", errs.Forbidden},
		{"Bearer p-s3cret", Respond, "ops", ""},
		{"Bearer p-s3cret", Admin, "", errs.Forbidden},
		{"bearer a-s3cret", Admin, "root", ""},
		{"Bearer a-s3cre", Read, "", errs.Unauthorized},
		{"Basic a-s3cret", Read, "", errs.Unauthorized},
		{"", Read, "", errs.Unauthorized},
	}
	for _, c := range cases {
		r := httptest.NewRequest("POST", "/", nil)
		if c.header != "" {
			r.Header.Set("Authorization", c.header)
		}
		id, err := tokens.Authorize(r, c.scope)
		if id != c.id || (err == nil) != (c.code == "") || (err != nil && errs.CodeOf(err) != c.code) {
			t.Errorf("%q for %s: id %q err %v", c.header, c.scope, id, err)
		}
		if err != nil && strings.Contains(err.Error(), "s3cret") {
			t.Errorf("error shows a secret: %v", err)
		}
	}
}

func TestNoTokensConfigured(t *testing.T) {
	_, err := New(nil).Authorize(httptest.NewRequest("POST", "/", nil), Admin)
	if errs.CodeOf(err) != errs.Unauthorized || !strings.Contains(err.Error(), "no tokens are configured") {
		t.Fatalf("%v", err)
	}
}
