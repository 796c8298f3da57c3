// Package check defines what a check is: a Spec written in config under its kind's
// key (http, tcp, dns, ...), a Prober that observes the target once, and the typed
// variables the observation yields for expect/warn conditions. Each kind lives in a
// package of its own; Evaluate turns an observation into a Result that says exactly
// which condition held and which did not.
package check

import (
	"context"
	"log/slog"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// Spec is one kind's configuration.
type Spec interface {
	// Kind is the YAML key the spec is written under, e.g. "http".
	Kind() string
	// Validate reports every problem with the spec. Problem.Field is relative to
	// the kind's key (e.g. "url"), so config can prefix it with the full path.
	Validate() []Problem
	// Vars returns the zero value of the kind's variables struct. Conditions are
	// type-checked against it when config loads.
	Vars() any
	// DefaultExpect is used when a check lists no expect conditions.
	DefaultExpect() []string
	// NewProber builds the prober for the check; it is called at start and on reload.
	NewProber(Env) (Prober, error)
}

// Prober observes a target once. It returns the kind's variables struct, or an
// error when the target could not be observed at all (refused, timed out, reset).
// The context carries the check's timeout; probers must return promptly when it ends.
type Prober interface {
	Probe(ctx context.Context) (vars any, err error)
}

// Env is what a prober may use from its surroundings.
type Env struct {
	Clock   clock.Clock
	Log     *slog.Logger
	Timeout time.Duration
	// Every is the check's interval; Grace the extra time a heartbeat may be late.
	Every time.Duration
	Grace time.Duration
	// Window is the check's look-back window (log checks count matches within it).
	Window time.Duration
	// Dir is the directory of the config file the check came from; relative paths
	// in specs are resolved against it.
	Dir string
	// Uses reports whether any condition refers to a variable, so costly ones
	// (such as parsing a body as JSON) can be skipped when nobody reads them.
	Uses func(variable string) bool
}

// UsesVar reports whether variable v is referenced; true when Uses is not set.
func (e Env) UsesVar(v string) bool { return e.Uses == nil || e.Uses(v) }

// Problem is one thing wrong with a spec.
type Problem struct {
	Field   string
	Message string
}
