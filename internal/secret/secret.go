// Package secret holds values that must never be printed: API tokens, keys,
// webhook URLs, passwords. A String prints as "<redacted>" everywhere except
// through Reveal, so a secret cannot leak into a log line or an error by accident.
package secret

import (
	"encoding/json"

	"github.com/invopop/jsonschema"
)

// Redacted is what a secret prints as.
const Redacted = "<redacted>"

// String is a secret string.
type String struct{ v string }

// New wraps s.
func New(s string) String { return String{v: s} }

// Reveal returns the secret itself; call it only where the value is used.
func (s String) Reveal() string { return s.v }

// IsZero reports whether no secret is set.
func (s String) IsZero() bool { return s.v == "" }

func (s String) String() string {
	if s.v == "" {
		return ""
	}
	return Redacted
}

// GoString keeps %#v from printing the value.
func (s String) GoString() string { return s.String() }

// UnmarshalText reads the secret from config.
func (s *String) UnmarshalText(b []byte) error { s.v = string(b); return nil }

// MarshalText writes the redacted form, so dumps never carry the value.
func (s String) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// MarshalJSON writes the redacted form.
func (s String) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// JSONSchema describes a secret in the config schema.
func (String) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Description: "a secret; prefer ${ENV} or the matching _file field"}
}

// DSN is a connection string whose password is secret but whose scheme, host
// and database are useful to see (postgres://vigil:xxxxx@db/vigil).
type DSN struct{ v string }

// NewDSN wraps s.
func NewDSN(s string) DSN { return DSN{v: s} }

// Reveal returns the DSN with its password.
func (d DSN) Reveal() string { return d.v }

// IsZero reports whether no DSN is set.
func (d DSN) IsZero() bool { return d.v == "" }

// String hides the password, in the user part or as a query parameter
// (?password=, ?sslpassword=, or anything named like a credential), or
// everything if the DSN cannot be parsed.
func (d DSN) String() string {
	if d.v == "" {
		return ""
	}
	return redactURL(d.v, secretParam)
}

// GoString keeps %#v from printing the password.
func (d DSN) GoString() string { return d.String() }

// UnmarshalText reads the DSN from config.
func (d *DSN) UnmarshalText(b []byte) error { d.v = string(b); return nil }

// MarshalText writes the DSN without its password.
func (d DSN) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// JSONSchema describes a DSN in the config schema.
func (DSN) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{Type: "string", Description: "sqlite://PATH or postgres://user:pass@host/db; the password is never printed"}
}
