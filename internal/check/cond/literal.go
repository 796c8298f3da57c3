package cond

import (
	"regexp"
	"strconv"
	"strings"

	"github.com/vigil-sre/vigil/internal/duration"
)

// durationLiteral matches a duration written the way users write it in config:
// 500ms, 30s, 1h30m, 14d, 2w, 0.5s.
var durationLiteral = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d|w|y))+`)

// durFunc is the function duration literals are rewritten into. The leading
// underscore keeps it clear of every variable a check kind defines.
const durFunc = "_dur"

// reservedVars are variables whose names are also operators of the expression
// language; the log check's `matches` is the one that matters.
func isReservedVar(w string) bool { return w == "matches" }

// operatorWords end an operand as symbols do: what follows starts a new one.
func isOperatorWord(w string) bool {
	switch w {
	case "and", "or", "not", "in", "matches", "contains", "startsWith", "endsWith", "let":
		return true
	}
	return false
}

// span records one rewritten piece, in rune offsets, so compile errors in the
// rewritten text can be reported at the column the user wrote.
type span struct{ outStart, outEnd, inStart, inEnd int }

// rewrite prepares a condition for the expression language. Outside string
// literals it turns duration literals into _dur(<nanoseconds>), because the
// language has none and users write `duration < 500ms` and
// `cert_expires_in > 14d`; and it turns a variable named like an operator
// into an environment lookup when it stands where an operand does, so
// `matches < 5` means the variable while `x matches "re"` stays the operator.
func rewrite(src string) (string, []span, error) {
	in := []rune(src)
	var out []rune
	var spans []span
	replace := func(i, n int, rep string) {
		r := []rune(rep)
		spans = append(spans, span{outStart: len(out), outEnd: len(out) + len(r), inStart: i, inEnd: i + n})
		out = append(out, r...)
	}
	afterValue := false // the previous token ends an operand
	for i := 0; i < len(in); {
		r := in[i]
		switch {
		case r == '"' || r == '\'' || r == '`':
			j := skipString(in, i)
			out = append(out, in[i:j]...)
			i, afterValue = j, true
		case r >= '0' && r <= '9':
			m := durationLiteral.FindString(string(in[i:]))
			n := len([]rune(m))
			if m != "" && (i+n == len(in) || !isWordRune(in[i+n])) {
				d, err := duration.Parse(m)
				if err != nil {
					return "", nil, &Error{Column: i + 1, Msg: err.Error()}
				}
				replace(i, n, durFunc+"("+strconv.FormatInt(int64(d), 10)+")")
				i += n
			} else {
				// A plain number: copy all of it so its digits are not re-examined.
				j := i
				for j < len(in) && (isWordRune(in[j]) || in[j] == '.') {
					j++
				}
				out = append(out, in[i:j]...)
				i = j
			}
			afterValue = true
		case isWordRune(r) || r == '$' || r == '#':
			j := i + 1
			for j < len(in) && isWordRune(in[j]) {
				j++
			}
			w := string(in[i:j])
			if isReservedVar(w) && !afterValue {
				replace(i, j-i, `$env["`+w+`"]`)
				afterValue = true
			} else {
				out = append(out, in[i:j]...)
				afterValue = !isOperatorWord(w)
			}
			i = j
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			out = append(out, r)
			i++
		default:
			out = append(out, r)
			afterValue = r == ')' || r == ']'
			i++
		}
	}
	return string(out), spans, nil
}

func skipString(in []rune, i int) int {
	q := in[i]
	for j := i + 1; j < len(in); j++ {
		if in[j] == '\\' && q != '`' {
			j++
			continue
		}
		if in[j] == q {
			return j + 1
		}
	}
	return len(in)
}

func isWordRune(r rune) bool {
	return r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == 'µ'
}

// originalOffset maps a rune offset in the rewritten text back to the source.
func originalOffset(spans []span, off int) int {
	shift := 0
	for _, s := range spans {
		if off < s.outStart {
			break
		}
		if off < s.outEnd {
			return s.inStart
		}
		shift = s.inEnd - s.outEnd
	}
	return off + shift
}

// envLookup recognises the rewritten form of a reserved variable.
func envLookup(s string) (string, bool) {
	if strings.HasPrefix(s, `$env["`) && strings.HasSuffix(s, `"]`) {
		return s[len(`$env["`) : len(s)-2], true
	}
	return "", false
}
