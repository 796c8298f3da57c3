// Package icaltest checks iCalendar documents in tests: the line rules of
// RFC 5545 checked strictly here, then a parse and a component check by an
// independent parser (github.com/emersion/go-ical, the calendar library
// behind go-webdav's CalDAV), so a feed that passes is one calendar apps
// read.
package icaltest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	goical "github.com/emersion/go-ical"
)

// Parse fails t unless body keeps the line rules (CRLF line ends and
// nothing else, lines of at most 75 octets, folds between characters,
// continuations starting with a space, only UTF-8), and unless the parser
// reads it into a calendar whose components have the properties RFC 5545
// requires (PRODID, VERSION; DTSTAMP and UID once per event). It returns
// the parsed calendar.
func Parse(t testing.TB, body []byte) *goical.Calendar {
	t.Helper()
	if err := Lines(body); err != nil {
		t.Fatalf("iCalendar line rules: %v\n%s", err, body)
	}
	cal, err := goical.NewDecoder(bytes.NewReader(body)).Decode()
	if err != nil {
		t.Fatalf("parsing the calendar: %v\n%s", err, body)
	}
	if len(cal.Children) > 0 {
		// Encoding checks each component's required and single properties.
		if err := goical.NewEncoder(&bytes.Buffer{}).Encode(cal); err != nil {
			t.Fatalf("the calendar's components: %v", err)
		}
	}
	for _, name := range []string{goical.PropProductID, goical.PropVersion} {
		if n := len(cal.Props[name]); n != 1 {
			t.Fatalf("the calendar has %d %s properties, want 1", n, name)
		}
	}
	return cal
}

// Lines reports the first break of RFC 5545's line rules (3.1) in body.
func Lines(body []byte) error {
	if !utf8.Valid(body) {
		return fmt.Errorf("not UTF-8")
	}
	if !bytes.HasSuffix(body, []byte("\r\n")) {
		return fmt.Errorf("does not end with CRLF")
	}
	lines := strings.Split(strings.TrimSuffix(string(body), "\r\n"), "\r\n")
	for i, l := range lines {
		switch {
		case strings.ContainsAny(l, "\r\n"):
			return fmt.Errorf("line %d has a bare CR or LF: %q", i+1, l)
		case len(l) > 75:
			return fmt.Errorf("line %d is %d octets long, more than 75: %q", i+1, len(l), l)
		case l == "":
			return fmt.Errorf("line %d is empty", i+1)
		case !utf8.ValidString(l):
			return fmt.Errorf("line %d splits a character", i+1)
		case i == 0 && l[0] == ' ':
			return fmt.Errorf("the first line is a continuation")
		}
		for _, r := range l {
			if (r < 0x20 && r != '\t') || r == 0x7f {
				return fmt.Errorf("line %d holds control character %U", i+1, r)
			}
		}
	}
	return nil
}
