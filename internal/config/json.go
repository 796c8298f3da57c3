package config

import (
	"encoding/json"
	"reflect"
	"strings"
)

// The config types the API shows encode as JSON under their YAML names, so
// a reader sees max_runs as it is written in the config, not Go's MaxRuns,
// and a field added later needs no tag of its own.

// MarshalJSON writes the SLO under its config names.
func (s SLO) MarshalJSON() ([]byte, error) { return yamlNamedJSON(s) }

// MarshalJSON writes the guard under its config names.
func (g Guard) MarshalJSON() ([]byte, error) { return yamlNamedJSON(g) }

// MarshalJSON writes the circuit breaker under its config names.
func (b Breaker) MarshalJSON() ([]byte, error) { return yamlNamedJSON(b) }

// MarshalJSON writes the param under its config names.
func (p Param) MarshalJSON() ([]byte, error) { return yamlNamedJSON(p) }

// yamlNamedJSON encodes struct v as a JSON object keyed by its fields' YAML
// names, leaving out unexported fields, fields tagged "-" and empty
// omitempty ones. Secrets encode as their redacted form, as always.
func yamlNamedJSON(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	t := rv.Type()
	out := make(map[string]any, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name := yamlName(sf)
		if name == "" || !sf.IsExported() {
			continue
		}
		f := rv.Field(i)
		if strings.Contains(sf.Tag.Get("yaml"), ",omitempty") && f.IsZero() {
			continue
		}
		out[name] = f.Interface()
	}
	return json.Marshal(out)
}
