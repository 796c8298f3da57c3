// Package sso signs people in through an OpenID Connect provider: the
// authorization code flow with state, nonce and PKCE (S256), the ID token
// verified by go-oidc against the provider's published keys, and its claims
// mapped to a person of the config and their groups.
package sso

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
)

// Provider is one configured OpenID provider, discovered.
type Provider struct {
	cfg      config.OIDC
	oidc     *oidc.Provider
	verifier *oidc.IDTokenVerifier
	oauth    oauth2.Config
	client   *http.Client
}

// timeout bounds every call to the provider.
const timeout = 10 * time.Second

// Discover reads the provider's discovery document and keys. redirectURL is
// where the provider sends people back (external_url + redirect_path).
func Discover(ctx context.Context, cfg config.OIDC, redirectURL string) (*Provider, error) {
	client := &http.Client{Timeout: timeout}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, client), timeout)
	defer cancel()
	p, err := oidc.NewProvider(ctx, strings.TrimSuffix(cfg.Issuer, "/"))
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "the sign-in provider %s does not answer as an OpenID provider", cfg.Issuer)
	}
	scopes := []string{oidc.ScopeOpenID}
	for _, s := range cfg.Scopes {
		if s != oidc.ScopeOpenID {
			scopes = append(scopes, s)
		}
	}
	return &Provider{cfg: cfg, oidc: p, client: client,
		verifier: p.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		oauth: oauth2.Config{ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret.Reveal(), Endpoint: p.Endpoint(),
			RedirectURL: redirectURL, Scopes: scopes},
	}, nil
}

// Flow is what a sign-in in progress must remember between sending the
// person to the provider and their coming back; it lives in a short-lived
// cookie of their browser.
type Flow struct {
	State    string `json:"s"`
	Nonce    string `json:"n"`
	Verifier string `json:"v"`
	Next     string `json:"next"`
}

// Begin starts a sign-in: the URL to send the browser to, and the flow to
// keep until it comes back.
func (p *Provider) Begin(next string) (string, Flow) {
	f := Flow{State: rand.Text(), Nonce: rand.Text(), Verifier: oauth2.GenerateVerifier(), Next: next}
	return p.oauth.AuthCodeURL(f.State, oidc.Nonce(f.Nonce), oauth2.S256ChallengeOption(f.Verifier)), f
}

// Identity is who the provider says signed in.
type Identity struct {
	// Claim is the value of person_claim; Subject the provider's own id.
	Claim, Subject string
	Groups         []string
}

// Finish completes a sign-in from the callback's code and state: the state
// must be the flow's, the code is exchanged with the PKCE verifier, and the
// ID token must verify and carry the flow's nonce. Claims missing from the
// ID token are asked of the userinfo endpoint.
func (p *Provider) Finish(ctx context.Context, f Flow, state, code string) (Identity, error) {
	if f.State == "" || state != f.State {
		return Identity{}, errs.E(errs.Forbidden, "this sign-in did not start here, or took too long; start again")
	}
	ctx, cancel := context.WithTimeout(oidc.ClientContext(ctx, p.client), timeout)
	defer cancel()
	tok, err := p.oauth.Exchange(ctx, code, oauth2.VerifierOption(f.Verifier))
	if err != nil {
		return Identity{}, errs.Wrap(errs.Forbidden, err, "the provider refused the sign-in code")
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return Identity{}, errs.E(errs.Forbidden, "the provider sent no ID token")
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return Identity{}, errs.Wrap(errs.Forbidden, err, "the provider's ID token does not verify")
	}
	if idt.Nonce != f.Nonce {
		return Identity{}, errs.E(errs.Forbidden, "the provider's ID token is for another sign-in")
	}
	claims := map[string]any{}
	if err := idt.Claims(&claims); err != nil {
		return Identity{}, errs.Wrap(errs.Forbidden, err, "reading the ID token's claims")
	}
	_, hasPerson := claims[p.cfg.PersonClaim]
	_, hasGroups := claims[p.cfg.GroupsClaim]
	if (!hasPerson || !hasGroups) && p.oidc.UserInfoEndpoint() != "" {
		ui, err := p.oidc.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil {
			return Identity{}, errs.Wrap(errs.Unavailable, err, "asking the provider who signed in")
		}
		more := map[string]any{}
		if err := ui.Claims(&more); err != nil {
			return Identity{}, errs.Wrap(errs.Forbidden, err, "reading the provider's userinfo")
		}
		if ui.Subject != idt.Subject {
			return Identity{}, errs.E(errs.Forbidden, "the provider's userinfo is about someone else")
		}
		for k, v := range more {
			if _, ok := claims[k]; !ok {
				claims[k] = v
			}
		}
	}
	id := Identity{Subject: idt.Subject, Groups: stringsOf(claims[p.cfg.GroupsClaim])}
	if v, ok := claims[p.cfg.PersonClaim].(string); ok {
		id.Claim = v
	}
	if id.Claim == "" {
		return id, errs.E(errs.Forbidden, "the provider did not say the %s of who signed in (check auth.oidc.person_claim and scopes)", p.cfg.PersonClaim)
	}
	if p.cfg.PersonClaim == "email" {
		if v, ok := claims["email_verified"].(bool); ok && !v {
			return id, errs.E(errs.Forbidden, "the provider has not verified the email %s", id.Claim)
		}
	}
	return id, nil
}

// maxGroups bounds the groups kept from a token.
const maxGroups = 100

func stringsOf(v any) []string {
	var out []string
	switch x := v.(type) {
	case string:
		out = []string{x}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok && len(out) < maxGroups {
				out = append(out, s)
			}
		}
	}
	return out
}

// Cache holds the discovered provider of the running config, discovering it
// again when auth.oidc changes.
type Cache struct {
	mu  sync.Mutex
	key string
	p   *Provider
}

// Get returns the provider for cfg, discovering it on first use.
func (c *Cache) Get(ctx context.Context, cfg config.OIDC, redirectURL string) (*Provider, error) {
	key := fmt.Sprintf("%s\x00%s\x00%s\x00%v\x00%s\x00%s\x00%s", cfg.Issuer, cfg.ClientID, cfg.ClientSecret.Reveal(), cfg.Scopes,
		redirectURL, cfg.PersonClaim, cfg.GroupsClaim)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.p != nil && c.key == key {
		return c.p, nil
	}
	p, err := Discover(ctx, cfg, redirectURL)
	if err != nil {
		return nil, err
	}
	c.key, c.p = key, p
	return p, nil
}
