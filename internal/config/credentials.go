package config

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/vigil-sre/vigil/internal/secret"
)

// MinLinkSecret is the shortest link_secret accepted: the key of an
// HMAC-SHA256 should be as long as its output.
const MinLinkSecret = 32

// credential is a secret that lets its holder in somewhere.
type credential struct {
	kind  string // token, integration key, heartbeat key, runbook webhook key
	at    origin
	field string // its field under at, e.g. secret or secret_file
	value string
}

// credentials requires every credential to identify one holder: when a
// token's secret equals another token's or an integration's key, whoever
// holds one holds the other, and the later one decides the scopes (a read
// token could reload the config). Heartbeat keys may be shared among
// heartbeat checks, and webhook keys among runbooks: each opens only its kind.
func (k *checker) credentials() {
	var all []credential
	add := func(kind string, at origin, field string, v secret.String, file string) {
		if v.IsZero() {
			return
		}
		if file != "" {
			field += "_file"
		}
		all = append(all, credential{kind: kind, at: at, field: field, value: v.Reveal()})
	}
	for _, t := range k.cfg.Tokens {
		add("token", t.at, "secret", t.Secret, t.SecretFile)
	}
	for _, in := range k.cfg.Integrations {
		add("integration key", in.at, "key", in.Key, in.KeyFile)
	}
	for _, r := range k.cfg.Runbooks {
		for i, t := range r.On {
			if w := t.Webhook; w != nil {
				add("runbook webhook key", r.at, childPath(indexPath("on", i), "webhook.key"), w.Key, w.KeyFile)
			}
		}
	}
	for _, s := range k.cfg.Services {
		for i, c := range s.Checks {
			if hb := c.Heartbeat; hb != nil {
				add("heartbeat key", s.at, childPath(indexPath("checks", i), "heartbeat.key"), hb.Key, hb.KeyFile)
			}
		}
	}
	first := map[string]credential{}
	for _, c := range all {
		prev, seen := first[c.value]
		switch {
		case !seen:
			first[c.value] = c
		case prev.kind == c.kind && (c.kind == "heartbeat key" || c.kind == "runbook webhook key"):
		default:
			k.add(c.at.problem(c.field, false, "this %s is the same secret as the %s at %s; every token and key must be unique",
				c.kind, prev.kind, where(prev.at, prev.field)))
		}
	}
}

// linkSecret refuses a link_secret too short to sign links safely.
func (k *checker) linkSecret() {
	g := k.cfg.Global
	if g.LinkSecret.IsZero() || len(g.LinkSecret.Reveal()) >= MinLinkSecret {
		return
	}
	field := "link_secret"
	if g.LinkSecretFile != "" {
		field = "link_secret_file"
	}
	k.add(k.cfg.globalAt.problem(field, false, "is %d bytes; it must be at least %d (e.g. from openssl rand -base64 32), or leave it out and Vigil makes one",
		len(g.LinkSecret.Reveal()), MinLinkSecret))
}

// webURLs requires the URLs Vigil posts to (slack and webhook channels,
// people's slack and webhook contacts) to be http or https: another scheme
// (file:, gopher:, a bare host) is a mistake that shows only when a page
// fails. The URL itself is a secret and is not echoed.
func (k *checker) webURLs() {
	for _, c := range k.cfg.Channels {
		if c.Type == "slack" || c.Type == "webhook" {
			k.webURL(c.at, "url", c.URL, c.URLFile)
		}
	}
	for _, p := range k.cfg.People {
		k.webURL(p.at, "contacts.slack", p.Contacts.Slack, p.Contacts.SlackFile)
		k.webURL(p.at, "contacts.webhook", p.Contacts.Webhook, p.Contacts.WebhookFile)
	}
}

func (k *checker) webURL(at origin, field string, v secret.String, file string) {
	if v.IsZero() {
		return
	}
	if file != "" {
		field += "_file"
	}
	u, err := url.Parse(strings.TrimSpace(v.Reveal()))
	switch {
	case err != nil:
		k.add(at.problem(field, false, "is not a valid URL"))
	case u.Scheme != "http" && u.Scheme != "https":
		k.add(at.problem(field, false, "must be an http:// or https:// URL%s", schemeSaid(u.Scheme)))
	case u.Host == "":
		k.add(at.problem(field, false, "must name a host (http://HOST/...)"))
	}
}

// schemeSaid names the scheme a URL has, which is not secret, to help.
func schemeSaid(scheme string) string {
	if scheme == "" {
		return " (it has no scheme)"
	}
	return fmt.Sprintf(" (it is %s:)", scheme)
}
