package config

import (
	"net/url"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth/password"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/secret"
)

// Auth says how people sign in to the web app and what each may do there.
// Tokens (for the API and CLI) are configured under tokens:.
type Auth struct {
	Session Session `yaml:"session,omitempty"`
	// OIDC turns on single sign-on through an OpenID provider.
	OIDC *OIDC `yaml:"oidc,omitempty" jsonschema:"description=single sign-on through an OpenID Connect provider"`
	// Access grants scopes to people, teams and OIDC groups. A person no rule
	// names gets DefaultPersonScope.
	Access []AccessRule `yaml:"access,omitempty" jsonschema:"description=scopes of people who sign in; a person no rule matches gets read"`

	at origin
}

// Session bounds how long a browser session lasts.
type Session struct {
	IdleTimeout duration.Duration `yaml:"idle_timeout,omitempty" jsonschema:"description=a session unused this long ends,default=12h"`
	MaxAge      duration.Duration `yaml:"max_age,omitempty" jsonschema:"description=a session ends this long after sign-in however it is used,default=7d"`
}

// OIDC is an OpenID Connect provider people sign in through.
type OIDC struct {
	Issuer           string        `yaml:"issuer" jsonschema:"required,description=the provider's issuer URL; discovery is read from ISSUER/.well-known/openid-configuration"`
	ClientID         string        `yaml:"client_id" jsonschema:"required"`
	ClientSecret     secret.String `yaml:"client_secret,omitempty"`
	ClientSecretFile string        `yaml:"client_secret_file,omitempty"`
	Name             string        `yaml:"name,omitempty" jsonschema:"description=what the sign-in button calls the provider,default=single sign-on"`
	Scopes           []string      `yaml:"scopes,omitempty" jsonschema:"description=scopes to ask for; openid is always asked,default=[openid profile email]"`
	RedirectPath     string        `yaml:"redirect_path,omitempty" jsonschema:"description=path of the callback registered with the provider, under global.external_url (read at start),default=/login/oidc/callback"`
	// PersonClaim names the claim that says who signed in, and PersonMatch
	// the person field it is compared with.
	PersonClaim string `yaml:"person_claim,omitempty" jsonschema:"description=claim that identifies the person,default=email"`
	PersonMatch string `yaml:"person_match,omitempty" jsonschema:"enum=email,enum=id,description=person field the claim is compared with: email (people[].contacts.email) or id (people[].id); default email when person_claim is email, else id"`
	GroupsClaim string `yaml:"groups_claim,omitempty" jsonschema:"description=claim listing the person's groups, for access rules with oidc_group,default=groups"`
}

// AccessRule grants scopes to one person, a team's members or an OIDC group.
type AccessRule struct {
	Person    string   `yaml:"person,omitempty"`
	Team      string   `yaml:"team,omitempty"`
	OIDCGroup string   `yaml:"oidc_group,omitempty" jsonschema:"description=a group in the provider's groups claim"`
	Scopes    []string `yaml:"scopes" jsonschema:"required,minItems=1,uniqueItems=true"`
}

// Defaults of Auth.
const (
	DefaultSessionIdle  = 12 * time.Hour
	DefaultSessionAge   = 7 * 24 * time.Hour
	DefaultRedirectPath = "/login/oidc/callback"
	DefaultPersonClaim  = "email"
	DefaultGroupsClaim  = "groups"
	// DefaultPersonScope is what a person who signs in may do when no
	// access rule names them: look, not act.
	DefaultPersonScope = "read"
)

func authDefaults(a *Auth) {
	if a.Session.IdleTimeout == 0 {
		a.Session.IdleTimeout = duration.Duration(DefaultSessionIdle)
	}
	if a.Session.MaxAge == 0 {
		a.Session.MaxAge = duration.Duration(DefaultSessionAge)
	}
	if o := a.OIDC; o != nil {
		if len(o.Scopes) == 0 {
			o.Scopes = []string{"openid", "profile", "email"}
		}
		if o.RedirectPath == "" {
			o.RedirectPath = DefaultRedirectPath
		}
		if o.PersonClaim == "" {
			o.PersonClaim = DefaultPersonClaim
		}
		if o.PersonMatch == "" {
			o.PersonMatch = "id"
			if o.PersonClaim == "email" {
				o.PersonMatch = "email"
			}
		}
		if o.GroupsClaim == "" {
			o.GroupsClaim = DefaultGroupsClaim
		}
		if o.Name == "" {
			o.Name = "single sign-on"
		}
	}
}

// auth checks sign-in settings, people's password hashes and access rules.
func (k *checker) auth() {
	a := k.cfg.Auth
	o := a.at
	if a.Session.IdleTimeout < 0 {
		k.add(o.problem("session.idle_timeout", false, "must be positive"))
	}
	if a.Session.MaxAge < a.Session.IdleTimeout {
		k.add(o.problem("session.max_age", false, "is shorter than session.idle_timeout (%s)", a.Session.IdleTimeout))
	}
	if c := a.OIDC; c != nil {
		if u, err := url.Parse(c.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			k.add(o.problem("oidc.issuer", false, "must be an http(s) URL, like https://accounts.google.com"))
		}
		if c.ClientSecret.IsZero() {
			k.add(o.problem("oidc.client_secret", true, "is required (or client_secret_file)"))
		}
		if !strings.HasPrefix(c.RedirectPath, "/") || strings.HasPrefix(c.RedirectPath, "//") {
			k.add(o.problem("oidc.redirect_path", false, "must be a path starting with /"))
		}
	}
	for i, r := range a.Access {
		p := indexPath("access", i)
		n := 0
		if r.Person != "" {
			n++
			k.ref(o, childPath(p, "person"), "person", r.Person, k.people)
		}
		if r.Team != "" {
			n++
			k.ref(o, childPath(p, "team"), "team", r.Team, k.teams)
		}
		if r.OIDCGroup != "" {
			n++
			if a.OIDC == nil {
				k.add(o.problem(childPath(p, "oidc_group"), false, "needs auth.oidc: groups come from the provider"))
			}
		}
		if n != 1 {
			k.add(o.problem(p, true, "set exactly one of person, team, oidc_group (found %d)", n))
		}
		for j, s := range r.Scopes {
			if !contains(Scopes(), s) {
				k.add(o.problem(indexPath(childPath(p, "scopes"), j), false, "%q is not one of %s", s, strings.Join(Scopes(), ", ")))
			}
		}
	}
	for _, pe := range k.cfg.People {
		if pe.PasswordHash.IsZero() {
			continue
		}
		if err := password.Check(pe.PasswordHash.Reveal()); err != nil {
			k.add(pe.at.problem("password_hash", false, "%v", err))
		}
	}
}

func (a Auth) empty() bool {
	return a.Session == (Session{}) && a.OIDC == nil && len(a.Access) == 0
}
