// Package timebound keeps the times clients send within what Vigil can
// store, encode and reason about. A time outside years 0–9999 cannot be
// written as RFC 3339 JSON, so one such time in an alert or a note would
// break every later answer that carries it; a time before 1970 or years
// ahead is a mistake in any case. Every client-supplied time passes through
// one of the windows here, and a refusal names the field.
package timebound

import (
	"fmt"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

const (
	// Skew is how far past now the time of something that already happened
	// may be: the sender's clock may run a little ahead of ours.
	Skew = 5 * time.Minute

	layout = time.RFC3339
)

// Earliest is the first time Vigil accepts from a client.
func Earliest() time.Time { return time.Unix(0, 0).UTC() }

// Window is the range a client time must fall in, both ends included.
type Window struct {
	From, Until time.Time
	late        string // why a time after Until is refused
}

// Past is the window for the time of something that already happened (a
// note, a status change, a deploy, an alert, a chat line): 1970 until now,
// give or take Skew.
func Past(now time.Time) Window {
	return Window{From: Earliest(), Until: now.Add(Skew), late: "must not be in the future"}
}

// Ahead is the window for a time that may lie ahead (the end of a silence,
// a due date, the moment an on-call question asks about): 1970 until a year
// from now.
func Ahead(now time.Time) Window {
	return Window{From: Earliest(), Until: now.AddDate(1, 0, 0), late: "must be at most a year from now"}
}

// Storable is the widest window, for a parser that is not told when it
// runs: 1970 until the end of year 9998, so that adding a year to any time
// in it still encodes.
func Storable() Window {
	return Window{From: Earliest(), Until: time.Date(9998, 12, 31, 23, 59, 59, 0, time.UTC), late: "is too far in the future"}
}

// Problem says what is wrong with t, or "" when it lies in w.
func (w Window) Problem(t time.Time) string {
	switch {
	case t.Before(w.From):
		return fmt.Sprintf("%s must not be before %s", t.Format(layout), w.From.Format(layout))
	case t.After(w.Until):
		return fmt.Sprintf("%s %s (latest %s)", t.Format(layout), w.late, w.Until.UTC().Format(layout))
	}
	return ""
}

// Check returns an invalid-input error naming field when t is outside w.
func (w Window) Check(field string, t time.Time) error {
	if p := w.Problem(t); p != "" {
		return errs.E(errs.Invalid, "%s: %s", field, p)
	}
	return nil
}

// Parse reads an RFC 3339 time for field and checks it against w. An empty
// value is nil: the caller's default applies.
func (w Window) Parse(field, v string) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	t, err := time.Parse(layout, v)
	if err != nil {
		return nil, errs.E(errs.Invalid, "%s: %q is not an RFC 3339 time (like 2026-11-27T22:00:00Z)", field, v)
	}
	if err := w.Check(field, t); err != nil {
		return nil, err
	}
	return &t, nil
}
