package chatlog

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/errs"
)

// Parse reads the plain chat format. day is the date the first time refers to, in loc.
//
// Each message is one line: a time (HH:MM or HHMM), an optional "--", the
// text, and "FROM: name" at the end, in any case and optionally in markdown
// bold ("**FROM: svega**"); the colon may be missing ("FROM hammer") when FROM
// is in capitals or bold. Only the calendar date of day is used, as it reads
// in day's own location; loc is the zone of the times, day's location when
// nil. A time earlier than the one before it is on the next day.
//
// A line without a leading time continues the message above it only while
// that message is still open: it is on the line directly above (no blank line
// between) and has not yet named its author, as when a long line was wrapped
// before its FROM. It is joined with a newline and may carry the FROM itself.
// Any other line without a time, a heading, or a line whose time is not a
// time of day is skipped and reported as a Problem. So is a message that names
// no author, though it is still returned, with an empty Author.
//
// The error is for input that cannot be read at all: more than MaxLines lines
// or MaxBytes bytes (errs.TooLarge), or no day (errs.Invalid).
func Parse(r io.Reader, day time.Time, loc *time.Location) ([]Message, []Problem, error) {
	if day.IsZero() {
		return nil, nil, errs.E(errs.Invalid, "chat log: no date given for its first time")
	}
	if loc == nil {
		loc = day.Location()
	}
	data, err := readAll(r, "chat log")
	if err != nil {
		return nil, nil, err
	}
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	lines := strings.Split(string(data), "\n")
	if n := len(lines); n > 0 && lines[n-1] == "" {
		lines = lines[:n-1]
	}
	if len(lines) > MaxLines {
		return nil, nil, errs.E(errs.TooLarge, "chat log has %d lines, more than the limit of %d", len(lines), MaxLines)
	}

	p := &parser{loc: loc, last: -1, prev: -1}
	p.year, p.month, p.day = day.Date()
	for i, line := range lines {
		p.line(i+1, line)
	}
	p.finish()
	sort.SliceStable(p.problems, func(i, j int) bool { return p.problems[i].Line < p.problems[j].Line })
	return p.msgs, p.problems, nil
}

type parser struct {
	year     int
	month    time.Month
	day      int
	loc      *time.Location
	msgs     []Message
	problems []Problem

	open    bool // the last message may take continuation lines
	prev    int  // the last line that was part of a message
	last    int  // minutes into the day of the last message, -1 before the first
	lastAt  int  // line of the last message
	dayOffs int  // days after the first one
}

func (p *parser) problem(line int, format string, args ...any) {
	p.problems = append(p.problems, Problem{Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) line(n int, raw string) {
	if !utf8.ValidString(raw) {
		p.problem(n, "not valid UTF-8; the bad bytes were replaced with U+FFFD")
		raw = strings.ToValidUTF8(raw, "\uFFFD")
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		p.finish()
		return
	}
	if mins, rest, ok, valid := clock(s); ok {
		p.finish()
		if !valid {
			p.problem(n, "%q is not a time of day; line skipped", strings.Fields(s)[0])
			return
		}
		p.start(n, mins, rest)
		return
	}
	if p.open && !isHeading(s) {
		p.continueWith(n, s)
		return
	}
	p.finish()
	switch {
	case isHeading(s):
		p.problem(n, "heading, not a chat message; line skipped")
	case p.prev == n-1:
		p.problem(n, "no leading time (HH:MM or HHMM), and the message above already ended with its FROM; line skipped")
	default:
		p.problem(n, "no leading time (HH:MM or HHMM); line skipped")
	}
}

// start begins the message on line n at mins minutes into the day.
func (p *parser) start(n, mins int, rest string) {
	if p.last >= 0 && mins < p.last {
		p.dayOffs++
		// Crossing midnight moves the clock a little; a big jump back is
		// more likely a typo or an out-of-order line, so say what was assumed.
		if mins+24*60-p.last > 12*60 {
			p.problem(n, "%s is earlier than %s on line %d; read as the next day", hhmm(mins), hhmm(p.last), p.lastAt)
		}
	}
	p.last, p.lastAt = mins, n
	at := time.Date(p.year, p.month, p.day+p.dayOffs, mins/60, mins%60, 0, 0, p.loc)
	p.msgs = append(p.msgs, Message{At: at, Line: n})
	p.open, p.prev = true, n
	p.add(trimSeparator(rest))
}

// continueWith appends a continuation line to the open message.
func (p *parser) continueWith(n int, s string) {
	p.prev = n
	m := &p.msgs[len(p.msgs)-1]
	if m.Text != "" {
		m.Text += "\n"
	}
	p.add(s)
}

// add appends s to the open message's text, taking its mentions and FROM.
func (p *parser) add(s string) {
	m := &p.msgs[len(p.msgs)-1]
	text, author, found := splitFrom(s)
	m.Text += text
	for _, name := range mentions(text) {
		if !slices.Contains(m.Mentions, name) {
			m.Mentions = append(m.Mentions, name)
		}
	}
	if found {
		m.Author = author
		p.open = false
		if author == "" {
			p.problem(m.Line, "FROM names nobody; imported with an empty author")
		}
	}
}

// finish closes the open message, reporting it when it never named an author.
func (p *parser) finish() {
	if !p.open {
		return
	}
	p.open = false
	m := p.msgs[len(p.msgs)-1]
	p.problem(m.Line, "no FROM: name at the end; imported with an empty author")
}

func hhmm(mins int) string { return fmt.Sprintf("%02d:%02d", mins/60, mins%60) }
