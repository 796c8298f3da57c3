package store

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/alert"
)

// labelsJSON encodes a string map as encoding/json does (keys sorted, the
// same escapes, HTML-safe), without reflection: every alert written carries
// two of these, and on the ingestion path the reflective encoder was a
// measurable share of the pager's commit.
func labelsJSON(m map[string]string, empty string) string {
	if m == nil {
		return empty
	}
	var room [16]string // the usual handful of names, sorted on the stack
	keys := room[:0]
	size := 2
	for k, v := range m {
		keys = append(keys, k)
		size += len(k) + len(v) + 6
	}
	slices.Sort(keys)
	var b strings.Builder
	b.Grow(size)
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(&b, k)
		b.WriteByte(':')
		writeJSONString(&b, m[k])
	}
	b.WriteByte('}')
	return b.String()
}

// linksJSON encodes an alert's links as encoding/json does, without
// reflection, as labelsJSON does its labels; none is "[]".
func linksJSON(links []alert.Link) string {
	size := 2
	for _, l := range links {
		size += len(l.Href) + len(l.Text) + 22
	}
	return jsonArray(links, size, func(b *strings.Builder, l alert.Link) {
		b.WriteString(`{"href":`)
		writeJSONString(b, l.Href)
		if l.Text != "" { // omitempty
			b.WriteString(`,"text":`)
			writeJSONString(b, l.Text)
		}
		b.WriteByte('}')
	})
}

// stringsJSON encodes a list of strings as encoding/json does; none is "[]".
func stringsJSON(list []string) string {
	return jsonArray(list, 2+len(list)*8, writeJSONString)
}

// jsonArray writes items as a JSON array, each by write, in a builder
// grown to size first; none is "[]".
func jsonArray[T any](items []T, size int, write func(*strings.Builder, T)) string {
	if len(items) == 0 {
		return "[]"
	}
	var b strings.Builder
	b.Grow(size)
	b.WriteByte('[')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(',')
		}
		write(&b, it)
	}
	b.WriteByte(']')
	return b.String()
}

const hexDigits = "0123456789abcdef"

// writeJSONString writes s quoted the way encoding/json quotes strings:
// control characters, <, > and & as \u00XX (short forms for \n \r \t \b \f), invalid
// UTF-8 as \ufffd, and U+2028/U+2029 escaped.
func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case '\n':
				b.WriteString(`\n`)
			case '\r':
				b.WriteString(`\r`)
			case '\t':
				b.WriteString(`\t`)
			case '\b':
				b.WriteString(`\b`)
			case '\f':
				b.WriteString(`\f`)
			default:
				b.WriteString(`\u00`)
				b.WriteByte(hexDigits[c>>4])
				b.WriteByte(hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString(s[start:i])
			b.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b.WriteString(s[start:i])
			b.WriteString(`\u202`)
			b.WriteByte(hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b.WriteString(s[start:])
	b.WriteByte('"')
}

// RowText is an alert row's labels, annotations and links as the store
// writes them.
type RowText struct{ Labels, Annotations, Links string }

// EncodeText encodes an alert's labels, annotations and links as a write
// of its row would. The pager has them encoded by the goroutine that took
// the alert in, many at once, rather than in its one writer (see
// AlertRow.Text).
func EncodeText(labels, annotations map[string]string, links []alert.Link) RowText {
	return RowText{Labels: labelsJSON(labels, "{}"), Annotations: labelsJSON(annotations, "{}"), Links: linksJSON(links)}
}
