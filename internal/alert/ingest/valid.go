package ingest

// validJSON reports whether body is one JSON value, with nothing but
// whitespace around it: what encoding/json.Valid reports, and
// FuzzValidJSON holds the two to the same answer. It is a direct descent
// over the bytes, where Valid steps a state machine through a function call
// a byte; a webhook body is read once here and once by the scanner
// (scanAlertmanager), and this was a quarter of the decoding's time.
// Strings are bytes, not UTF-8, as for Valid: encoding/json turns bytes that
// are not UTF-8 into U+FFFD when it decodes them.
func validJSON(body []byte) bool {
	v := validator{p: body}
	v.space()
	if !v.value() {
		return false
	}
	v.space()
	return v.i == len(v.p)
}

// maxNesting is how deep arrays and objects may nest: encoding/json's
// limit, past which Valid reports false.
const maxNesting = 10000

type validator struct {
	p     []byte
	i     int
	depth int
}

func (v *validator) space() {
	for v.i < len(v.p) {
		switch v.p[v.i] {
		case ' ', '\t', '\n', '\r':
			v.i++
		default:
			return
		}
	}
}

// value reads the value at v.i and moves past it.
func (v *validator) value() bool {
	if v.i >= len(v.p) {
		return false
	}
	switch c := v.p[v.i]; {
	case c == '"':
		return v.string()
	case c == '{':
		return v.object()
	case c == '[':
		return v.array()
	case c == '-' || ('0' <= c && c <= '9'):
		return v.number()
	case c == 't':
		return v.literal("true")
	case c == 'f':
		return v.literal("false")
	case c == 'n':
		return v.literal("null")
	}
	return false
}

func (v *validator) literal(word string) bool {
	if len(v.p)-v.i < len(word) || string(v.p[v.i:v.i+len(word)]) != word {
		return false
	}
	v.i += len(word)
	return true
}

// string reads a string: no byte below 0x20 inside, and escapes as JSON
// has them.
func (v *validator) string() bool {
	p := v.p
	for i := v.i + 1; i < len(p); i++ {
		switch c := p[i]; {
		case c == '"':
			v.i = i + 1
			return true
		case c < 0x20:
			return false
		case c == '\\':
			i++
			if i >= len(p) {
				return false
			}
			switch p[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) || !isHex(p[i+3]) || !isHex(p[i+4]) {
					return false
				}
				i += 4
			default:
				return false
			}
		}
	}
	return false
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// number reads -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (v *validator) number() bool {
	p, i := v.p, v.i
	if p[i] == '-' {
		i++
	}
	switch {
	case i < len(p) && p[i] == '0':
		i++
	case i < len(p) && '1' <= p[i] && p[i] <= '9':
		i = digits(p, i)
	default:
		return false
	}
	if i < len(p) && p[i] == '.' {
		if i++; i >= len(p) || p[i] < '0' || p[i] > '9' {
			return false
		}
		i = digits(p, i)
	}
	if i < len(p) && (p[i] == 'e' || p[i] == 'E') {
		if i++; i < len(p) && (p[i] == '+' || p[i] == '-') {
			i++
		}
		if i >= len(p) || p[i] < '0' || p[i] > '9' {
			return false
		}
		i = digits(p, i)
	}
	v.i = i
	return true
}

func digits(p []byte, i int) int {
	for i < len(p) && '0' <= p[i] && p[i] <= '9' {
		i++
	}
	return i
}

func (v *validator) object() bool { return v.container('}', v.member) }

func (v *validator) array() bool { return v.container(']', v.value) }

// member reads an object's member: a name, a colon, a value.
func (v *validator) member() bool {
	if v.i >= len(v.p) || v.p[v.i] != '"' || !v.string() {
		return false
	}
	v.space()
	if v.i >= len(v.p) || v.p[v.i] != ':' {
		return false
	}
	v.i++
	v.space()
	return v.value()
}

// container reads an object or an array: what read reads, separated by
// commas, up to close.
func (v *validator) container(close byte, read func() bool) bool {
	if v.depth++; v.depth > maxNesting {
		return false
	}
	v.i++ // the opening bracket
	v.space()
	if v.i < len(v.p) && v.p[v.i] == close {
		v.i++
		v.depth--
		return true
	}
	for {
		if !read() {
			return false
		}
		v.space()
		if v.i >= len(v.p) {
			return false
		}
		switch v.p[v.i] {
		case ',':
			v.i++
			v.space()
		case close:
			v.i++
			v.depth--
			return true
		default:
			return false
		}
	}
}
