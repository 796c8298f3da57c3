// Package ical writes iCalendar documents (RFC 5545): the on-call calendar
// feeds people subscribe to from their calendar apps. It writes only what
// Vigil publishes, a calendar of events with UTC times, and writes it
// strictly: CRLF line ends, lines folded at 75 octets without splitting a
// character, and text escaped, so untrusted text (names, notes) stays text.
package ical

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"
)

// Calendar is a published calendar.
type Calendar struct {
	ProdID string // who made it, e.g. "-//Vigil//On call//EN"
	Name   string // what calendar apps call it (X-WR-CALNAME, NAME)
	// Refresh is how often subscribers should fetch it again; 0 leaves it to
	// them.
	Refresh time.Duration
	Events  []Event
}

// Event is one event; times are written in UTC.
type Event struct {
	UID         string // globally unique and stable, so an app updates rather than duplicates
	Stamp       time.Time
	Start, End  time.Time
	Summary     string
	Description string
	URL         string
}

// maxOctets is the longest a content line may be, CRLF excluded (RFC 5545,
// 3.1).
const maxOctets = 75

// Write writes c to w.
func (c Calendar) Write(w io.Writer) error {
	cw := &writer{w: bufio.NewWriter(w)}
	cw.line("BEGIN", "VCALENDAR")
	cw.line("VERSION", "2.0")
	cw.line("PRODID", Text(c.ProdID))
	cw.line("CALSCALE", "GREGORIAN")
	cw.line("METHOD", "PUBLISH")
	if c.Name != "" {
		cw.line("NAME", Text(c.Name))
		cw.line("X-WR-CALNAME", Text(c.Name))
	}
	if c.Refresh > 0 {
		d := Duration(c.Refresh)
		cw.line("REFRESH-INTERVAL;VALUE=DURATION", d)
		cw.line("X-PUBLISHED-TTL", d)
	}
	for _, e := range c.Events {
		cw.line("BEGIN", "VEVENT")
		cw.line("UID", Text(e.UID))
		cw.line("DTSTAMP", UTC(e.Stamp))
		cw.line("DTSTART", UTC(e.Start))
		cw.line("DTEND", UTC(e.End))
		cw.line("SUMMARY", Text(e.Summary))
		if e.Description != "" {
			cw.line("DESCRIPTION", Text(e.Description))
		}
		if e.URL != "" {
			cw.line("URL;VALUE=URI", e.URL)
		}
		cw.line("TRANSP", "OPAQUE")
		cw.line("END", "VEVENT")
	}
	cw.line("END", "VCALENDAR")
	if cw.err != nil {
		return cw.err
	}
	return cw.w.Flush()
}

type writer struct {
	w   *bufio.Writer
	err error
}

// line writes one content line, folded: after every 75 octets (74 on the
// continuation lines, after their leading space) a CRLF and a space, never
// inside a UTF-8 sequence.
func (cw *writer) line(name, value string) {
	if cw.err != nil {
		return
	}
	s := name + ":" + value
	limit := maxOctets
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		cw.write(s[:cut] + "\r\n ")
		s = s[cut:]
		limit = maxOctets - 1
	}
	cw.write(s + "\r\n")
}

func (cw *writer) write(s string) {
	if cw.err == nil {
		_, cw.err = cw.w.WriteString(s)
	}
}

// Text escapes s as a TEXT value (RFC 5545, 3.3.11): backslash, semicolon,
// comma and line breaks are escaped; other control characters, which TEXT
// may not hold, become spaces; invalid UTF-8 becomes U+FFFD.
func Text(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteByte(c)
		default:
			if c < 0x20 || c == 0x7f {
				b.WriteByte(' ')
				continue
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// UTC writes t as a DATE-TIME in UTC (form #2, RFC 5545 3.3.5).
func UTC(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Duration writes d as a DURATION value, in whole seconds (at least one).
func Duration(d time.Duration) string {
	secs := max(int64(d/time.Second), 1)
	var b strings.Builder
	b.WriteString("P")
	if days := secs / 86400; days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		secs %= 86400
	}
	if secs > 0 {
		b.WriteString("T")
		if h := secs / 3600; h > 0 {
			fmt.Fprintf(&b, "%dH", h)
		}
		if m := secs % 3600 / 60; m > 0 {
			fmt.Fprintf(&b, "%dM", m)
		}
		if s := secs % 60; s > 0 {
			fmt.Fprintf(&b, "%dS", s)
		}
	}
	return b.String()
}
