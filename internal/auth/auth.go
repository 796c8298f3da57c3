// Package auth says who is asking and what they may do: API tokens from
// config, people who sign in to the web app (by password or single sign-on)
// and their browser sessions, with scopes read < respond < operate < admin,
// each including the ones before it. Secrets are compared in constant time,
// and a secret never appears in a log or an error.
package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
)

// Scope is a level of access.
type Scope string

const (
	Read    Scope = "read"
	Respond Scope = "respond"
	Operate Scope = "operate"
	Admin   Scope = "admin"
)

// rank orders scopes; an unknown one ranks 0, below read.
func rank(s Scope) int {
	switch s {
	case Read:
		return 1
	case Respond:
		return 2
	case Operate:
		return 3
	case Admin:
		return 4
	}
	return 0
}

// Tokens authenticates bearer tokens.
type Tokens struct {
	tokens []token
}

type token struct {
	id     string
	person string
	hash   [32]byte
	top    Scope // highest scope granted
}

// New builds the token table from config.
func New(cfg []config.Token) *Tokens {
	t := &Tokens{}
	for _, c := range cfg {
		tk := token{id: c.ID, person: c.Person, hash: sha256.Sum256([]byte(c.Secret.Reveal()))}
		for _, s := range c.Scopes {
			tk.top = Higher(tk.top, Scope(s))
		}
		t.tokens = append(t.tokens, tk)
	}
	return t
}

// Empty reports whether no tokens are configured.
func (t *Tokens) Empty() bool { return len(t.tokens) == 0 }

// Authorize returns the id of the token presented with r if it grants scope.
// It returns an Unauthorized error when no valid token is presented and a
// Forbidden error when the token lacks the scope.
func (t *Tokens) Authorize(r *http.Request, scope Scope) (string, error) {
	p, err := t.Principal(r)
	if err != nil {
		return "", err
	}
	if !p.Can(scope) {
		return "", errs.E(errs.Forbidden, "token %q lacks the %s scope", p.Token, scope)
	}
	return p.Token, nil
}

// Presented reports whether r carries a bearer token at all.
func Presented(r *http.Request) bool { return r.Header.Get("Authorization") != "" }

// Principal returns the token presented with r as a principal. It returns an
// Unauthorized error when no valid token is presented.
func (t *Tokens) Principal(r *http.Request) (Principal, error) {
	secret, ok := Bearer(r)
	if !ok {
		if t.Empty() {
			return Principal{}, errs.E(errs.Unauthorized, "this needs a credential, and no tokens are configured; add one under tokens: in the config, or sign in")
		}
		return Principal{}, errs.E(errs.Unauthorized, "missing bearer token (send 'Authorization: Bearer TOKEN')")
	}
	tk, found := t.lookup(secret)
	if !found {
		return Principal{}, errs.E(errs.Unauthorized, "invalid token")
	}
	return Principal{Token: tk.id, Person: tk.person, Name: "token " + tk.id, Method: MethodToken, Scope: tk.top}, nil
}

// lookup compares against every token, always, so timing says nothing about
// which token or how much of it matched.
func (t *Tokens) lookup(secret string) (found token, ok bool) {
	h := sha256.Sum256([]byte(secret))
	for _, tk := range t.tokens {
		if subtle.ConstantTimeCompare(h[:], tk.hash[:]) == 1 {
			found, ok = tk, true
		}
	}
	return found, ok
}

// Bearer extracts the token from an Authorization: Bearer header.
func Bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return "", false
	}
	return strings.TrimSpace(tok), true
}

// Equal compares two secrets in constant time.
func Equal(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(ha[:], hb[:]) == 1
}
