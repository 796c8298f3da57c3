// Package markdown makes text safe to place in the Markdown documents Vigil
// writes (postmortems, on-call logs). Untrusted text (chat lines, notes,
// labels, alert summaries, names) goes through Text and reads as the same
// words whatever it holds: never a heading, list, link, table column or
// HTML. Sections people write for the document go through Prose, which
// keeps their Markdown but not raw HTML or script links. HTML and Body
// render a document for a browser or an email.
package markdown

import (
	"net/url"
	"strings"
	"unicode"
)

// Text is s as inline Markdown text on one line: whitespace and control
// characters fold into single spaces, and every character that could start
// markup (emphasis, code, links, HTML, table pipes, block markers at the
// start) is escaped, so renderers show it literally.
func Text(s string) string {
	s = oneLine(s)
	var b strings.Builder
	b.Grow(len(s) + len(s)/8)
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '\\', '`', '*', '~', '[', ']', '<', '>', '|':
			b.WriteByte('\\')
		case '_':
			// Within a word (snake_case) an underscore is not emphasis.
			if i == 0 || i == len(rs)-1 || !isWord(rs[i-1]) || !isWord(rs[i+1]) {
				b.WriteByte('\\')
			}
		case '&':
			if entity(rs[i+1:]) { // &lt; or &#60; would turn into another character

				b.WriteByte('\\')
			}
		case '#', '-', '+', '=':
			if i == 0 { // a heading, list item or setext underline at a block's start
				b.WriteByte('\\')
			}
		case '.', ')':
			// "1. " or "1)" at the end starts an ordered list; "2021.09" does not.
			if i > 0 && i <= 9 && allDigits(rs[:i]) && (i+1 == len(rs) || rs[i+1] == ' ') {
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Prose keeps s as Markdown (paragraphs, lists, emphasis, links: what people
// write in a postmortem section) with two exceptions: raw HTML shows as text,
// and a link or image whose destination is not http(s), mailto, a fragment
// or a path stops being a link. Fenced code blocks are kept as written.
func Prose(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	lines := strings.Split(dropControls(s), "\n")
	var fence string // the open fence's marker, while inside one
	for i, line := range lines {
		if fence != "" {
			if closesFence(line, fence) {
				fence = ""
			}
			continue // code: shown as written, never interpreted
		}
		if f := opensFence(line); f != "" {
			fence = f
			continue
		}
		lines[i] = proseLine(line)
	}
	return strings.Join(lines, "\n")
}

// Link is a Markdown link to href showing text when href is an absolute
// http(s) URL, and the escaped text alone otherwise.
func Link(text, href string) string {
	u, err := url.Parse(strings.TrimSpace(href))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Text(text)
	}
	return "[" + Text(text) + "](" + destination(u.String()) + ")"
}

// destination percent-encodes what would end a link destination early or
// split a table cell.
var destination = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E", "|", "%7C",
	"\\", "%5C", "[", "%5B", "]", "%5D", "`", "%60", "\"", "%22").Replace

// Cell is Text for a table cell: an empty value shows as a dash, so the row
// keeps its shape.
func Cell(s string) string {
	if t := Text(s); t != "" {
		return t
	}
	return "—"
}

func proseLine(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '\\' && i+1 < len(line):
			// An escape pair stays as written; it cannot start markup.
			b.WriteString(line[i : i+2])
			i++
			continue
		case c == '<':
			b.WriteString(`\<`)
			continue
		case c == ']' && i+1 < len(line) && (line[i+1] == '(' || line[i+1] == ':'):
			if !safeDestination(line[i+2:]) {
				b.WriteString(`]\`) // "](" or "]:" no longer opens a destination
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// safeDestination reports whether a link destination (the text after "](" or
// "]:") starts with an allowed scheme or is relative. An empty rest means the
// destination is on the next line, which is not checked, so not allowed.
func safeDestination(rest string) bool {
	d := strings.ToLower(strings.TrimLeft(rest, " \t"))
	if d == "" {
		return false
	}
	for _, ok := range []string{"http://", "https://", "mailto:", "#", "/", "./", "../"} {
		if strings.HasPrefix(d, ok) {
			return true
		}
	}
	// A relative path has no scheme before its first separator; entities
	// and escapes there could spell one ("&#106;avascript:").
	first := d
	if i := strings.IndexAny(d, "/?#) "); i >= 0 {
		first = d[:i]
	}
	return !strings.ContainsAny(first, ":&%\\<")
}

// opensFence returns the marker of a fenced code block opened by line at the
// left margin ("```" or "~~~", possibly longer), or "". Only unindented
// fences count: there the block is at the top level whatever came before,
// so it is code for every renderer.
func opensFence(line string) string {
	if len(line) < 3 || (line[0] != '`' && line[0] != '~') {
		return ""
	}
	n := 0
	for n < len(line) && line[n] == line[0] {
		n++
	}
	if n < 3 || (line[0] == '`' && strings.Contains(line[n:], "`")) {
		return ""
	}
	return line[:n]
}

// closesFence applies CommonMark's rule: up to three spaces, at least as many
// of the same character, then only whitespace.
func closesFence(line, fence string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 {
		return false
	}
	n := 0
	for n < len(t) && t[n] == fence[0] {
		n++
	}
	return n >= len(fence) && strings.TrimSpace(t[n:]) == ""
}

// oneLine folds runs of whitespace and control characters (line breaks
// included) into single spaces.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsControl(r) || unicode.IsSpace(r) }), " ")
}

// dropControls removes control characters other than newlines and tabs.
func dropControls(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && r != '\t' && unicode.IsControl(r) {
			return -1
		}
		return r
	}, s)
}

// entity reports whether rs (after an ampersand) reads as an entity
// reference's rest: a name or number, then a semicolon.
func entity(rs []rune) bool {
	for i, r := range rs {
		switch {
		case r == ';':
			return i > 0
		case i > 32 || !(isWord(r) || r == '#'):
			return false
		}
	}
	return false
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func allDigits(rs []rune) bool {
	for _, r := range rs {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
