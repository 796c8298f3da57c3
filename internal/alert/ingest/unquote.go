package ingest

import (
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// unquote decodes the body of a JSON string (between its quotes) that has
// escapes or bytes that are not UTF-8, as encoding/json does: a byte that
// is not UTF-8, or a \u escape of half a surrogate pair, becomes U+FFFD.
// Alertmanager escapes every &, < and > in what it sends (Go's encoder
// does), so most generator URLs, and any text with a line break or a
// quote, come here. body is part of valid JSON (validJSON): every escape
// is whole. It reports false for anything else.
func unquote(body []byte, buf []byte) ([]byte, bool) {
	out := buf[:0]
	for r := 0; r < len(body); {
		c := body[r]
		switch {
		case c == '\\':
			if r+1 >= len(body) {
				return nil, false
			}
			switch e := body[r+1]; e {
			case '"', '\\', '/':
				out = append(out, e)
			case 'b':
				out = append(out, '\b')
			case 'f':
				out = append(out, '\f')
			case 'n':
				out = append(out, '\n')
			case 'r':
				out = append(out, '\r')
			case 't':
				out = append(out, '\t')
			case 'u':
				rr := hex4(body[r+2:])
				if rr < 0 {
					return nil, false
				}
				r += 6
				if utf16.IsSurrogate(rr) {
					if len(body) > r+1 && body[r] == '\\' && body[r+1] == 'u' {
						if dec := utf16.DecodeRune(rr, hex4(body[r+2:])); dec != unicode.ReplacementChar {
							out = utf8.AppendRune(out, dec)
							r += 6
							continue
						}
					}
					rr = unicode.ReplacementChar
				}
				out = utf8.AppendRune(out, rr)
				continue
			default:
				return nil, false
			}
			r += 2
		case c < utf8.RuneSelf:
			if c < ' ' {
				return nil, false
			}
			out = append(out, c)
			r++
		default:
			rr, size := utf8.DecodeRune(body[r:])
			if rr == utf8.RuneError && size == 1 {
				out = utf8.AppendRune(out, unicode.ReplacementChar)
			} else {
				out = append(out, body[r:r+size]...)
			}
			r += size
		}
	}
	return out, true
}

// hex4 reads the four hex digits p starts with; -1 when it does not.
func hex4(p []byte) rune {
	if len(p) < 4 {
		return -1
	}
	var r rune
	for _, c := range p[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r*16 + rune(c)
	}
	return r
}
