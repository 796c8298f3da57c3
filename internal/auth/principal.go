package auth

import "strings"

// Method says how a principal proved who it is.
type Method string

const (
	MethodToken    Method = "token"    // a bearer token from tokens:
	MethodPassword Method = "password" // a session from a local sign-in
	MethodOIDC     Method = "oidc"     // a session from single sign-on
)

// Principal is who is asking: a token, or a person signed in to a browser
// session. Every route learns it from Server.allow, and every action records
// Actor() as who did it.
type Principal struct {
	// Token is the token's id when Method is MethodToken.
	Token string
	// Person is the person behind the request: the session's, or the
	// token's person: field. It may be empty for a token.
	Person string
	// Name is what pages show: the person's name, or the token's id.
	Name   string
	Method Method
	// Scope is the highest scope held; it includes every lower one.
	Scope Scope
	// Session is the stored (hashed) key of the browser session, if any.
	Session string
	// CSRF is the session's synchronizer token, which every state change
	// made with the session must carry.
	CSRF string
}

// Can reports whether the principal holds scope.
func (p Principal) Can(scope Scope) bool { return rank(p.Scope) >= rank(scope) && rank(scope) > 0 }

// Scopes lists every scope held, lowest first.
func (p Principal) Scopes() []Scope {
	var out []Scope
	for _, s := range []Scope{Read, Respond, Operate, Admin} {
		if p.Can(s) {
			out = append(out, s)
		}
	}
	return out
}

// Browser reports whether the principal comes from a session cookie, so a
// state change needs the session's CSRF token too.
func (p Principal) Browser() bool { return p.Method == MethodPassword || p.Method == MethodOIDC }

// Actor is how records name who acted: person/ID for a signed-in person,
// token/ID for a token. It is the form runbook approvers and the on-call
// report read.
func (p Principal) Actor() string {
	if p.Browser() {
		return "person/" + p.Person
	}
	return "token/" + p.Token
}

// ActorAs is Actor for an API caller that says on whose behalf it acts
// ("by" in a request): a token may name a person, recorded next to the
// token; a signed-in person is who they are, whatever the request says.
func (p Principal) ActorAs(by string) string {
	by = strings.TrimSpace(by)
	if by == "" || p.Browser() {
		return p.Actor()
	}
	return by + " (" + p.Actor() + ")"
}

// ScopeOf parses a scope name; ok is false for an unknown one.
func ScopeOf(s string) (Scope, bool) {
	sc := Scope(s)
	return sc, rank(sc) > 0
}

// Higher returns the higher of two scopes.
func Higher(a, b Scope) Scope {
	if rank(b) > rank(a) {
		return b
	}
	return a
}
