package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
)

// decode unmarshals body, which must hold one JSON object, into v, turning
// encoding/json's errors into Errors that name the field or byte offset.
func decode(body []byte, v any) Errors {
	if err := unmarshalObject(body, v); err != nil {
		return describe(err, "", 0)
	}
	return nil
}

// decodeBatch is decode for a body with an array of elements E under the
// member named array. When a value inside an element has the wrong type,
// encoding/json names only the struct path (alerts.labels), so the elements
// are decoded again one by one to give each problem its index. That second
// pass runs only for bodies already rejected.
func decodeBatch[E any](body []byte, v any, array string) Errors {
	err := unmarshalObject(body, v)
	if err == nil {
		return nil
	}
	if te := (*json.UnmarshalTypeError)(nil); errors.As(err, &te) && strings.HasPrefix(te.Field, array+".") {
		if errs := elementErrors[E](body, array); len(errs) > 0 {
			return errs
		}
	}
	return describe(err, "", 0)
}

func elementErrors[E any](body []byte, array string) Errors {
	d := json.NewDecoder(bytes.NewReader(body))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var errs Errors
	for d.More() {
		key, err := d.Token()
		if err != nil {
			return nil
		}
		if key != array {
			var skip json.RawMessage
			if d.Decode(&skip) != nil {
				return nil
			}
			continue
		}
		if tok, err := d.Token(); err != nil || tok != json.Delim('[') {
			return nil
		}
		for i := 0; d.More(); i++ {
			var raw json.RawMessage
			if d.Decode(&raw) != nil {
				return nil
			}
			// RawMessage holds exactly the element's bytes, so its offset in
			// the body is where the decoder stands less its length.
			start := d.InputOffset() - int64(len(raw))
			var e E
			if err := json.Unmarshal(raw, &e); err != nil {
				errs = append(errs, describe(err, index(array, i), start)...)
			}
		}
		return errs
	}
	return nil
}

// decodeStrict decodes one JSON value that is known to be well formed,
// rejecting members v has no field for: our own format is strict so that a
// misspelt field is reported rather than dropped. base is raw's offset in
// the body, or -1 when unknown.
func decodeStrict(raw []byte, v any, path string, base int64) Errors {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return describe(err, path, base)
	}
	return nil
}

const msgUnknownField = "is not a known field"

func unmarshalObject(body []byte, v any) error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 {
		return Errors{{Message: "body is empty; expected a JSON object"}}
	}
	if trimmed[0] != '{' {
		// Distinguish well-formed JSON of the wrong kind from broken JSON; the
		// extra scan runs only on this error path.
		if json.Valid(body) {
			return Errors{{Message: "body is a JSON " + kindOf(trimmed[0]) + "; expected an object"}}
		}
		return json.Unmarshal(body, new(any))
	}
	return json.Unmarshal(body, v)
}

// describe turns an error from encoding/json into Errors. When the value
// decoded was part of a larger body, path prefixes field names and base is
// the value's offset in the body, or -1 if unknown, which leaves offsets out
// of type errors. A reported byte counts from 1 and is where the decoder
// stopped: the offending character, or the end of a value of the wrong type.
func describe(err error, path string, base int64) Errors {
	var (
		errs Errors
		se   *json.SyntaxError
		te   *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &errs):
		return errs
	case errors.As(err, &se):
		base = max(base, 0)
		return Errors{{Message: "invalid JSON at byte " + itoa(base+se.Offset) + ": " + se.Error()}}
	case errors.As(err, &te):
		field := join(path, te.Field)
		if field == "" {
			return Errors{{Message: "body is a JSON " + te.Value + "; expected an object"}}
		}
		msg := "expected " + wantOf(te.Type) + ", found " + article(te.Value)
		if base >= 0 {
			msg += " (at byte " + itoa(base+te.Offset) + ")"
		}
		return Errors{{Field: field, Message: msg}}
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if n, err := strconv.Unquote(name); err == nil {
			name = n
		}
		// member quotes a name that is not one path segment, the empty
		// one included, so the field is always named.
		return Errors{{Field: member(path, name), Message: msgUnknownField}}
	}
	return Errors{{Field: path, Message: err.Error()}}
}

func kindOf(c byte) string {
	switch c {
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

func wantOf(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Map, reflect.Struct:
		return "an object"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Bool:
		return "a boolean"
	}
	return "a number"
}

// article prefixes encoding/json's name for a value kind ("number",
// "array", "object") with its article.
func article(kind string) string {
	if kind != "" && strings.ContainsRune("aeiou", rune(kind[0])) {
		return "an " + kind
	}
	return "a " + kind
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
