package chatlog

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

var (
	// clockRE matches a leading HH:MM (or H:MM) or HHMM ending at a space or
	// the end of the line, so "2021-09-04" and "0930s" are not times.
	clockRE = regexp.MustCompile(`^(?:(\d{1,2}):(\d{2})|(\d{2})(\d{2}))(?:\s|$)`)

	// fromRE matches the author marker at the end of a line. After "FROM:"
	// the name runs to the end of the line, so "FROM: Sam Vega" works; after
	// a bare "FROM" it is one word.
	fromRE = regexp.MustCompile(`(?:^|\s)(\*{1,2})?\s*((?i:from))(?:(:)\s*([^*:]*?)|\s+([^\s*:]+?))[.,;]*\s*(\*{1,2})?\s*$`)

	headingRE = regexp.MustCompile(`^#{1,6}(?:\s|$)`)

	mentionRE = regexp.MustCompile(`(?:^|[\s(,])!([A-Za-z0-9][A-Za-z0-9_.\-]*)`)
)

// clock reads the leading time of s. ok reports whether s starts with
// something shaped like a time; valid whether it is a time of day.
func clock(s string) (minutes int, rest string, ok, valid bool) {
	m := clockRE.FindStringSubmatch(s)
	if m == nil {
		return 0, s, false, false
	}
	hh, mm := m[1], m[2]
	if hh == "" {
		hh, mm = m[3], m[4]
	}
	h, _ := strconv.Atoi(hh)
	mi, _ := strconv.Atoi(mm)
	rest = s[len(strings.TrimRightFunc(m[0], unicode.IsSpace)):]
	return h*60 + mi, rest, true, h < 24 && mi < 60
}

// trimSeparator drops the "--" that often follows the time.
func trimSeparator(s string) string {
	s = strings.TrimSpace(s)
	for _, sep := range []string{"--", "—", "–", "-"} {
		if rest, ok := strings.CutPrefix(s, sep); ok && (rest == "" || rest[0] == ' ' || rest[0] == '\t') {
			return strings.TrimSpace(rest)
		}
	}
	return s
}

// splitFrom takes the "FROM: name" marker off the end of s. A bare "FROM"
// without a colon or bold counts only in capitals: "the error came from
// nginx" is prose, not a message by nginx. found is false when s has no
// marker; a marker naming nobody returns found with an empty author.
func splitFrom(s string) (text, author string, found bool) {
	m := fromRE.FindStringSubmatchIndex(s)
	if m == nil {
		return s, "", false
	}
	group := func(i int) string {
		if m[2*i] < 0 {
			return ""
		}
		return s[m[2*i]:m[2*i+1]]
	}
	colon, bold := group(3) != "", group(1) != "" || group(6) != ""
	if !colon && !bold && group(2) != "FROM" {
		return s, "", false
	}
	author = group(4)
	if !colon {
		author = group(5)
	}
	author = strings.TrimSpace(author)
	text = strings.TrimRight(s[:m[0]], " \t-–—")
	return text, author, true
}

// mentions returns the !name tokens of s, each once, in order.
func mentions(s string) []string {
	var out []string
	for _, m := range mentionRE.FindAllStringSubmatch(s, -1) {
		name := strings.TrimRight(m[1], ".-")
		if name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// isHeading reports whether s is a markdown heading, rule or code fence:
// structure around the chat, never part of a message.
func isHeading(s string) bool {
	return headingRE.MatchString(s) || strings.HasPrefix(s, "```") ||
		len(s) >= 3 && strings.Trim(s, "-=*_ ") == ""
}
