package auth

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth/password"
	"github.com/vigil-sre/vigil/internal/config"
)

// People answers, under one config, who may sign in and with what scope.
// It is rebuilt on every reload, so a person or rule removed from config
// loses access at the next request.
type People struct {
	byID    map[string]person
	byEmail map[string]string // lower-cased email -> person id
	// Scope granted by access rules, per person (teams expanded) and per
	// OIDC group.
	personScope map[string]Scope
	groupScope  map[string]Scope
	oidc        string // fingerprint of the provider; "" without one
	zone        string // global.timezone
	zones       map[string]*time.Location
	dummy       string // hash checked when the person is unknown
}

type person struct {
	id, name, zone, hash string
}

// Person is what pages know of a signed-in person.
type Person struct {
	ID   string
	Name string
	// Zone is the IANA time zone pages show times in: the person's, else
	// global.timezone; Loc is it loaded.
	Zone string
	Loc  *time.Location
}

// NewPeople builds the directory from config.
func NewPeople(cfg *config.Config) *People {
	p := &People{byID: map[string]person{}, byEmail: map[string]string{}, personScope: map[string]Scope{},
		groupScope: map[string]Scope{}, zone: cfg.Global.Timezone, zones: map[string]*time.Location{}, dummy: password.Dummy()}
	p.load(p.zone)
	for _, pe := range cfg.People {
		p.load(pe.Timezone)
		p.byID[pe.ID] = person{id: pe.ID, name: pe.Name, zone: pe.Timezone, hash: pe.PasswordHash.Reveal()}
		if e := strings.ToLower(strings.TrimSpace(pe.Contacts.Email)); e != "" {
			p.byEmail[e] = pe.ID
		}
	}
	members := map[string][]string{}
	for _, t := range cfg.Teams {
		members[t.ID] = t.Members
	}
	for _, r := range cfg.Auth.Access {
		var top Scope
		for _, s := range r.Scopes {
			top = Higher(top, Scope(s))
		}
		switch {
		case r.Person != "":
			p.personScope[r.Person] = Higher(p.personScope[r.Person], top)
		case r.Team != "":
			for _, m := range members[r.Team] {
				p.personScope[m] = Higher(p.personScope[m], top)
			}
		case r.OIDCGroup != "":
			p.groupScope[r.OIDCGroup] = Higher(p.groupScope[r.OIDCGroup], top)
		}
	}
	if o := cfg.Auth.OIDC; o != nil {
		p.oidc = fingerprint(o.Issuer + "\x00" + o.ClientID)
	}
	return p
}

// Person returns the person with id, if config has one.
func (p *People) Person(id string) (Person, bool) {
	pe, ok := p.byID[id]
	if !ok {
		return Person{}, false
	}
	out := Person{ID: pe.id, Name: pe.name, Zone: pe.zone}
	if out.Name == "" {
		out.Name = pe.id
	}
	if out.Zone == "" {
		out.Zone = p.zone
	}
	out.Loc = p.Location(out.Zone)
	return out, true
}

// Zone is global.timezone, for viewers who are not a person.
func (p *People) Zone() string { return p.zone }

// Location is the loaded zone of a name from config; UTC for any other.
func (p *People) Location(name string) *time.Location {
	if loc, ok := p.zones[name]; ok {
		return loc
	}
	return time.UTC
}

// load keeps zones loaded once per config, not once per page.
func (p *People) load(name string) {
	if name == "" {
		return
	}
	if loc, err := time.LoadLocation(name); err == nil {
		p.zones[name] = loc
	}
}

// Match finds the person a single sign-on claim names: by id, or by
// contacts.email (case-insensitive).
func (p *People) Match(field, value string) (string, bool) {
	value = strings.TrimSpace(value)
	if field == "email" {
		id, ok := p.byEmail[strings.ToLower(value)]
		return id, ok
	}
	_, ok := p.byID[value]
	return value, ok
}

// Scope is what a person may do: the highest scope any access rule grants
// them, their teams or their OIDC groups, and read when no rule names them.
// Signing in proves who someone is; acting needs a rule that says so.
func (p *People) Scope(id string, groups []string) Scope {
	s := p.personScope[id]
	for _, g := range groups {
		s = Higher(s, p.groupScope[g])
	}
	if s == "" {
		s = Scope(config.DefaultPersonScope)
	}
	return s
}

// CheckPassword reports whether pw is the password of the person named by
// name (their id or email). An unknown name, or a person without a
// password, costs as much time as a wrong password, and fails the same way.
func (p *People) CheckPassword(name, pw string) (string, bool) {
	id, ok := p.byEmail[strings.ToLower(strings.TrimSpace(name))]
	if !ok {
		id = strings.TrimSpace(name)
	}
	pe, ok := p.byID[id]
	if !ok || pe.hash == "" {
		password.Verify(p.dummy, pw)
		return "", false
	}
	if !password.Verify(pe.hash, pw) {
		return "", false
	}
	return id, true
}

// Credential is a fingerprint of what a session of person was started
// with: their password hash, or the provider. A session whose credential no
// longer matches (the password changed or was removed, the provider
// changed) is over. It is "" when the method is no longer possible.
func (p *People) Credential(id string, m Method) string {
	pe, ok := p.byID[id]
	if !ok {
		return ""
	}
	switch m {
	case MethodPassword:
		if pe.hash == "" {
			return ""
		}
		return fingerprint(pe.hash)
	case MethodOIDC:
		return p.oidc
	}
	return ""
}

func fingerprint(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:8])
}
