package ingest

import (
	"bytes"
	"unicode/utf8"
)

// strTable reads the label and annotation objects of one request. It shares
// one string among every alert of the request that repeats it: label names,
// and values such as job, severity or a description. An open alert keeps its
// labels as long as it is open, so a batch of fifty alerts holds each name
// once instead of fifty times. It lives as long as its request.
type strTable map[string]string

// str returns b as a string, the table's copy when it has one.
func (t strTable) str(b []byte) string {
	if s, ok := t[string(b)]; ok { // no copy made to look it up
		return s
	}
	return t.same(string(b))
}

// same returns s, or the table's copy of it.
func (t strTable) same(s string) string {
	if c, ok := t[s]; ok {
		return c
	}
	t[s] = s
	return s
}

// object reads the JSON value p starts with (p is valid JSON) as an
// object of strings, and returns what follows it. It reports false for
// anything else (a number, an array, a value that is not a string), for
// the caller to decode the body the slow way and say what is wrong. null is
// a nil map, as encoding/json makes it.
func (t strTable) object(p []byte) (map[string]string, []byte, bool) {
	if bytes.HasPrefix(p, []byte("null")) {
		return nil, p[len("null"):], true
	}
	if len(p) == 0 || p[0] != '{' {
		return nil, nil, false
	}
	p = skipSpace(p[1:])
	var pairs [16][2]string
	kv := pairs[:0]
	for len(p) > 0 && p[0] != '}' {
		k, ok := t.string(&p)
		if !ok {
			return nil, nil, false
		}
		p = skipSpace(p)
		if len(p) == 0 || p[0] != ':' {
			return nil, nil, false
		}
		p = skipSpace(p[1:])
		v, ok := t.string(&p)
		if !ok {
			return nil, nil, false
		}
		kv = append(kv, [2]string{k, v})
		p = skipSpace(p)
		if len(p) > 0 && p[0] == ',' {
			p = skipSpace(p[1:])
		}
	}
	if len(p) == 0 {
		return nil, nil, false
	}
	m := make(map[string]string, len(kv))
	for _, e := range kv {
		m[e[0]] = e[1] // a repeated name: the last one stands, as in encoding/json
	}
	return m, p[1:], true
}

// string reads the JSON string *p starts with and moves past it. One with
// escapes, or bytes that are not UTF-8, is decoded as encoding/json does
// (unquote).
func (t strTable) string(p *[]byte) (string, bool) { return t.read(p, true) }

// read is string, sharing the string through the table only when share is
// set: values each alert has its own of (a fingerprint, a start time) would
// only grow it.
func (t strTable) read(p *[]byte, share bool) (string, bool) {
	b := *p
	if len(b) == 0 || b[0] != '"' {
		return "", false
	}
	end := closingQuote(b)
	if end < 0 {
		return "", false
	}
	*p = b[end+1:]
	body := b[1:end]
	if bytes.IndexByte(body, '\\') >= 0 || !utf8.Valid(body) {
		var room [256]byte
		var ok bool
		if body, ok = unquote(body, room[:0]); !ok {
			return "", false
		}
	}
	if !share {
		return string(body), true
	}
	return t.str(body), true
}
