// Package errs is Vigil's one error type. An error carries a code that decides
// the HTTP status and a message safe to show users; the cause, which may hold
// internal detail, goes to logs only.
package errs

import (
	"errors"
	"fmt"
)

// Code classifies an error.
type Code string

const (
	Invalid      Code = "invalid"      // the request or input is wrong; the message says how
	NotFound     Code = "not_found"    // the thing asked for does not exist
	Conflict     Code = "conflict"     // the request clashes with current state
	Unauthorized Code = "unauthorized" // no or wrong credentials
	Forbidden    Code = "forbidden"    // credentials lack the scope needed
	TooLarge     Code = "too_large"    // the body exceeds its limit
	Unavailable  Code = "unavailable"  // not ready yet or shutting down
	Internal     Code = "internal"     // a fault of ours; details are logged, not shown
)

// Error is an error with a code and a user-facing message.
type Error struct {
	Code    Code
	Message string
	Cause   error
	// Problems, when set, are the problems of an invalid input one by one,
	// each naming its field (and its line and column in a YAML body), so a
	// client can point at them in the file it sent.
	Problems []Problem
}

// Problem is one thing wrong with one field of an input.
type Problem struct {
	Field   string `json:"field,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// ProblemsOf returns the field problems err carries, if any.
func ProblemsOf(err error) []Problem {
	var e *Error
	if errors.As(err, &e) {
		return e.Problems
	}
	return nil
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return e.Message + ": " + e.Cause.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Cause }

// E makes an error with a formatted message.
func E(code Code, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap makes an error whose cause is kept for logs.
func Wrap(code Code, cause error, format string, args ...any) error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Cause: cause}
}

// CodeOf returns the code of err, Internal for errors of other types.
func CodeOf(err error) Code {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return Internal
}

// Message is what a user may see of err.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != Internal {
		return e.Message
	}
	return "internal error"
}
