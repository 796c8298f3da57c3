package ingest

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// Error is one problem with a payload.
type Error struct {
	// Field is a JSON path into the body, such as alerts[3].labels.team or
	// payload.severity. It is empty only when the body as a whole cannot be
	// read: it is not JSON, or not a JSON object.
	Field   string
	Message string
}

func (e Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

// Errors is every problem found in one payload. The parsers return it, never
// an empty one, as the error of a rejected payload.
type Errors []Error

func (es Errors) Error() string {
	return strings.Join(es.Strings(), "; ")
}

// Strings returns each problem as "field: message", as PagerDuty's error
// bodies list them.
func (es Errors) Strings() []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Error()
	}
	return out
}

// Malformed reports whether the body could not be read at all, as opposed
// to a readable body with invalid fields.
func (es Errors) Malformed() bool {
	return len(es) == 1 && es[0].Field == ""
}

func (es *Errors) add(field, format string, args ...any) {
	*es = append(*es, Error{Field: field, Message: fmt.Sprintf(format, args...)})
}

// err returns es as an error, or a nil interface when there is nothing wrong;
// returning an empty Errors as error would make a non-nil interface.
func (es Errors) err() error {
	if len(es) == 0 {
		return nil
	}
	return es
}

// constError is an error that can be a constant, so sentinels need no
// package-level variable.
type constError string

func (e constError) Error() string { return string(e) }

// quote echoes a sender's value in a message, cut short: the value may be
// anything up to the body limit, and the message goes back to the sender.
func quote(s string) string {
	return strconv.Quote(truncate(s, 64))
}

// join extends a JSON path by one object member.
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// index extends a JSON path by one array element.
func index(path string, i int) string {
	return path + "[" + strconv.Itoa(i) + "]"
}

// member extends a JSON path by a map key, quoting keys that would not read
// as one path segment, such as "app.kubernetes.io/name".
func member(path, key string) string {
	for i := 0; i < len(key); i++ {
		c := key[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return path + "[" + strconv.Quote(key) + "]"
		}
	}
	if key == "" {
		return path + `[""]`
	}
	return join(path, key)
}

// checkValues reports what of m is past its bounds: more than MaxPairs
// entries, a name empty, longer than MaxNameBytes or holding a control
// character, a value longer than MaxValueBytes; in name order so that the
// report is stable.
func checkValues(errs *Errors, at where, name string, m map[string]string) {
	if len(m) > MaxPairs {
		errs.add(at.field(name), "has %d entries; the limit is %d", len(m), MaxPairs)
		return
	}
	var bad []string
	for k, v := range m {
		if len(v) > MaxValueBytes || !goodName(k) {
			bad = append(bad, k)
		}
	}
	slices.Sort(bad)
	for _, k := range bad {
		switch v := m[k]; {
		case k == "":
			errs.add(at.field(name), "has an empty name")
		case len(k) > MaxNameBytes:
			errs.add(at.field(name), "has a name of %d bytes; the limit is %d", len(k), MaxNameBytes)
		case !goodName(k):
			errs.add(member(at.field(name), k), "the name holds a control character")
		default:
			errs.add(member(at.field(name), k), "is %d bytes; the limit is %d", len(v), MaxValueBytes)
		}
	}
}

// goodName reports whether a label or annotation name is within bounds.
func goodName(k string) bool {
	return k != "" && len(k) <= MaxNameBytes && !strings.ContainsFunc(k, unicode.IsControl)
}
