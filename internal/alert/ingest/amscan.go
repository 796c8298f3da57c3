package ingest

import "bytes"

// scanAlertmanager reads a webhook body without reflection, into msg, for
// the common case: valid JSON (checked first, as encoding/json does; see
// validJSON), whose members named as amMessage's fields are named exactly
// so, given once, and hold values of their types. Other members are
// skipped, as encoding/json skips them. Anything else reports false, and
// the caller decodes the body the way that names what is wrong in it;
// FuzzAlertmanagerDecode holds the two to the same result. Strings are
// copied (and shared) through a strTable: nothing in msg points into body.
func scanAlertmanager(body []byte, msg *amMessage) bool {
	if !validJSON(body) {
		return false
	}
	p := skipSpace(body)
	if len(p) == 0 || p[0] != '{' {
		return false
	}
	// About one "labels" member an alert: room for them all, and for the
	// strings of their own they bring (an instance, a fingerprint, a
	// summary ...). No more than a request may hold, whatever the body
	// repeats.
	n := min(bytes.Count(body, []byte(`"labels"`)), MaxAlerts)
	t := make(strTable, 4*n+16)
	var out amMessage
	var seen uint8
	_, ok := objectMembers(p, func(key, v []byte) ([]byte, bool) {
		switch string(key) {
		case "version":
			return stringValue(t, v, &out.Version, once(&seen, 0), shared)
		case "externalURL":
			return stringValue(t, v, &out.ExternalURL, once(&seen, 1), shared)
		case "alerts":
			if !once(&seen, 2) || v[0] != '[' {
				return nil, false
			}
			out.Alerts = make([]amAlert, 0, n)
			return arrayElements(v, func(e []byte) ([]byte, bool) {
				var a amAlert
				rest, ok := scanAlert(t, e, &a)
				out.Alerts = append(out.Alerts, a)
				return rest, ok
			})
		}
		return skipValue(v), !foldsTo(key, "version", "externalURL", "alerts")
	})
	if !ok {
		return false
	}
	*msg = out
	return true
}

// once marks member i of a set seen, and reports whether it was not before:
// encoding/json would let a repeated member's value replace, or merge into,
// the first.
func once(seen *uint8, i uint) bool {
	if *seen&(1<<i) != 0 {
		return false
	}
	*seen |= 1 << i
	return true
}

// scanAlert reads one element of "alerts" into a, and returns what follows
// it.
func scanAlert(t strTable, e []byte, a *amAlert) ([]byte, bool) {
	if e[0] != '{' {
		return nil, false
	}
	var seen uint8
	return objectMembers(e, func(key, v []byte) ([]byte, bool) {
		switch string(key) {
		case "status":
			return stringValue(t, v, &a.Status, once(&seen, 0), shared)
		case "labels":
			return objectValue(t, v, &a.Labels, once(&seen, 1))
		case "annotations":
			return objectValue(t, v, &a.Annotations, once(&seen, 2))
		case "startsAt":
			return stringValue(t, v, &a.StartsAt, once(&seen, 3), own)
		case "endsAt":
			return stringValue(t, v, &a.EndsAt, once(&seen, 4), own)
		case "generatorURL":
			return stringValue(t, v, &a.GeneratorURL, once(&seen, 5), shared)
		case "fingerprint":
			return stringValue(t, v, &a.Fingerprint, once(&seen, 6), own)
		}
		return skipValue(v), !foldsTo(key, "status", "labels", "annotations", "startsAt", "endsAt", "generatorURL", "fingerprint")
	})
}

// foldsTo reports whether encoding/json would fill one of the fields named
// by names from member key, which it matches without regard to case.
func foldsTo(key []byte, names ...string) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// How stringValue keeps a string: through the request's table, or as the
// alert's own (strTable.read).
const (
	shared = true
	own    = false
)

// stringValue reads v, a JSON string, into *dst, and returns what follows
// it; anything else (null included, which encoding/json would skip), or a
// member seen before (first false), reports false.
func stringValue(t strTable, v []byte, dst *string, first, share bool) ([]byte, bool) {
	if !first {
		return nil, false
	}
	s, ok := t.read(&v, share)
	*dst = s
	return v, ok
}

// objectValue reads v, a JSON object of strings or null, into *dst, as
// stringValue does a string.
func objectValue(t strTable, v []byte, dst *map[string]string, first bool) ([]byte, bool) {
	if !first {
		return nil, false
	}
	m, rest, ok := t.object(v)
	*dst = m
	return rest, ok
}

// objectMembers calls fn with each member of the object p starts with: its
// name, and the JSON from its value on; fn returns what follows the value.
// It returns what follows the object. p is valid JSON, read once: each value
// is read, or skipped, by fn. A name with escapes reports false
// (encoding/json would unescape it before matching fields).
func objectMembers(p []byte, fn func(key, v []byte) ([]byte, bool)) ([]byte, bool) {
	p = skipSpace(p[1:])
	for len(p) > 0 && p[0] != '}' {
		end := bytes.IndexByte(p[1:], '"') + 1
		key := p[1:end]
		if bytes.IndexByte(key, '\\') >= 0 {
			return nil, false
		}
		p = skipSpace(p[end+1:])
		p = skipSpace(p[1:]) // the colon
		rest, ok := fn(key, p)
		if !ok {
			return nil, false
		}
		p = skipSpace(rest)
		if len(p) > 0 && p[0] == ',' {
			p = skipSpace(p[1:])
		}
	}
	if len(p) == 0 {
		return nil, false
	}
	return p[1:], true
}

// arrayElements calls fn with the JSON from each element of the array p
// starts with on; fn returns what follows the element. It returns what
// follows the array. p is valid JSON.
func arrayElements(p []byte, fn func(e []byte) ([]byte, bool)) ([]byte, bool) {
	p = skipSpace(p[1:])
	for len(p) > 0 && p[0] != ']' {
		rest, ok := fn(p)
		if !ok {
			return nil, false
		}
		p = skipSpace(rest)
		if len(p) > 0 && p[0] == ',' {
			p = skipSpace(p[1:])
		}
	}
	if len(p) == 0 {
		return nil, false
	}
	return p[1:], true
}

// skipValue returns what follows the JSON value p starts with. p is valid
// JSON.
func skipValue(p []byte) []byte {
	switch p[0] {
	case '"':
		return p[stringEnd(p):]
	case '{', '[':
		depth := 0
		for i := 0; i < len(p); i++ {
			switch p[i] {
			case '"':
				i += stringEnd(p[i:]) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return p[i+1:]
				}
			}
		}
		return nil
	}
	// A number, true, false or null: up to the next delimiter.
	for i, c := range p {
		switch c {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return p[i:]
		}
	}
	return nil
}

// stringEnd returns the length of the JSON string p starts with, quotes
// included; len(p) when it does not end.
func stringEnd(p []byte) int {
	if q := closingQuote(p); q > 0 {
		return q + 1
	}
	return len(p)
}

// closingQuote returns the index of the quote that ends the JSON string p
// starts with, -1 when none does. It looks for quotes with bytes.IndexByte,
// many bytes a step, rather than at every byte: a quote ends the string
// unless an odd number of backslashes stands right before it.
func closingQuote(p []byte) int {
	for i := 1; i < len(p); {
		q := bytes.IndexByte(p[i:], '"')
		if q < 0 {
			return -1
		}
		q += i
		n := 0
		for j := q - 1; j > 0 && p[j] == '\\'; j-- {
			n++
		}
		if n%2 == 0 {
			return q
		}
		i = q + 1
	}
	return -1
}

// skipSpace returns p past the JSON whitespace it starts with. A loop, not
// bytes.TrimLeft, which builds its set of bytes on every call: a decode
// skips space between every two tokens.
func skipSpace(p []byte) []byte {
	for len(p) > 0 {
		switch p[0] {
		case ' ', '\t', '\r', '\n':
			p = p[1:]
		default:
			return p
		}
	}
	return p
}
