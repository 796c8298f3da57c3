package config

import (
	"reflect"
	"sort"

	"github.com/goccy/go-yaml"

	"github.com/vigil-sre/vigil/internal/secret"
)

// Dump renders the effective config (defaults filled in) as YAML. Secrets
// print as <redacted>, so the output is safe to paste into a ticket.
func Dump(c *Config) ([]byte, error) {
	cp := *c
	// Deep enough a copy for clearing secrets and hiding check URLs: every
	// slice and pointer holding one is cloned, so c itself is left as it was.
	cp.People = append([]Person(nil), c.People...)
	cp.Channels = append([]Channel(nil), c.Channels...)
	cp.Integrations = append([]Integration(nil), c.Integrations...)
	cp.Tokens = append([]Token(nil), c.Tokens...)
	if c.Global.SMTP != nil {
		m := *c.Global.SMTP
		cp.Global.SMTP = &m
	}
	cp.Runbooks = append([]Runbook(nil), c.Runbooks...)
	for i := range cp.Runbooks {
		cp.Runbooks[i].Secrets = append([]RunbookSecret(nil), cp.Runbooks[i].Secrets...)
		cp.Runbooks[i].On = append([]Trigger(nil), cp.Runbooks[i].On...)
		for j, t := range cp.Runbooks[i].On {
			if t.Webhook != nil {
				w := *t.Webhook
				cp.Runbooks[i].On[j].Webhook = &w
			}
		}
	}
	cp.Services = append([]Service(nil), c.Services...)
	for i := range cp.Services {
		checks := append([]Check(nil), cp.Services[i].Checks...)
		for j := range checks {
			if h := checks[j].HTTP; h != nil {
				// A check URL is plain config, yet its query often holds a key.
				u := *h
				u.URL = secret.URL(h.URL)
				checks[j].HTTP = &u
			}
			if b := checks[j].Heartbeat; b != nil {
				hb := *b
				checks[j].Heartbeat = &hb
			}
		}
		cp.Services[i].Checks = checks
		// The one-line slo form is shown as the SLO it stands for.
		if s := &cp.Services[i]; s.SLO != nil && len(s.SLOs) > 0 && s.SLOs[0].path == "slo" {
			s.SLO = nil
		}
	}
	clearFileSecrets(reflect.ValueOf(&cp).Elem())
	return yaml.MarshalWithOptions(&cp, yaml.IndentSequence(true), yaml.UseLiteralStyleIfMultiline(true))
}

func sortStrings(s []string) { sort.Strings(s) }
