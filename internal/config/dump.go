package config

import (
	"reflect"
	"sort"

	"github.com/goccy/go-yaml"
)

// Dump renders the effective config (defaults filled in) as YAML. Secrets
// print as <redacted>, so the output is safe to paste into a ticket.
func Dump(c *Config) ([]byte, error) {
	cp := *c
	// Deep enough a copy for clearing secrets: every slice holding secrets is cloned.
	cp.People = append([]Person(nil), c.People...)
	cp.Channels = append([]Channel(nil), c.Channels...)
	cp.Integrations = append([]Integration(nil), c.Integrations...)
	cp.Tokens = append([]Token(nil), c.Tokens...)
	cp.Services = append([]Service(nil), c.Services...)
	for i := range cp.Services {
		// The one-line slo form is shown as the SLO it stands for.
		if s := &cp.Services[i]; s.SLO != nil && len(s.SLOs) > 0 && s.SLOs[0].path == "slo" {
			s.SLO = nil
		}
	}
	clearFileSecrets(reflect.ValueOf(&cp).Elem())
	return yaml.MarshalWithOptions(&cp, yaml.IndentSequence(true), yaml.UseLiteralStyleIfMultiline(true))
}

func sortStrings(s []string) { sort.Strings(s) }
