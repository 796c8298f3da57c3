package web

import (
	"fmt"
	"regexp/syntax"
	"strings"
	"unicode"
)

// jsPattern rewrites a param's pattern (Go's RE2 syntax) for an input's
// pattern attribute, which browsers read as a JavaScript expression with
// the v flag. The two languages differ (v mode refuses an unescaped - or
// ( inside a class, Go knows \pL and (?i)), so the pattern is rebuilt from
// its parse tree with every character other than a letter, digit or _
// written as \u{...}, which both modes read the same way. Anything without
// a plain equivalent (multi-line anchors, case folding of ranges) gives ""
// and the field has no pattern attribute: the server checks every value
// anyway, so the attribute only saves a round trip.
func jsPattern(p string) string {
	re, err := syntax.Parse(p, syntax.Perl)
	if err != nil {
		return ""
	}
	var b strings.Builder
	if !writeJS(&b, re) || b.Len() > maxJSPattern {
		return ""
	}
	return b.String()
}

// maxJSPattern bounds the attribute: a class like \pL is thousands of
// ranges, more than a page should carry for a hint.
const maxJSPattern = 4096

func writeJS(b *strings.Builder, re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpNoMatch:
		b.WriteString("[]")
	case syntax.OpEmptyMatch:
		b.WriteString("(?:)")
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if re.Flags&syntax.FoldCase != 0 && unicode.SimpleFold(r) != r {
				b.WriteString("[")
				for f := r; ; {
					b.WriteString(jsRune(f))
					if f = unicode.SimpleFold(f); f == r {
						break
					}
				}
				b.WriteString("]")
				continue
			}
			b.WriteString(jsRune(r))
		}
	case syntax.OpCharClass:
		b.WriteString("[")
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			b.WriteString(jsRune(lo))
			if hi != lo {
				b.WriteString("-" + jsRune(hi))
			}
		}
		b.WriteString("]")
	case syntax.OpAnyCharNotNL:
		b.WriteString(`[^\n]`)
	case syntax.OpAnyChar:
		b.WriteString(`[\s\S]`)
	case syntax.OpBeginText:
		b.WriteString("^")
	case syntax.OpEndText:
		b.WriteString("$")
	case syntax.OpWordBoundary:
		b.WriteString(`\b`)
	case syntax.OpNoWordBoundary:
		b.WriteString(`\B`)
	case syntax.OpCapture:
		return group(b, re.Sub[0])
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat:
		if !group(b, re.Sub[0]) {
			return false
		}
		switch re.Op {
		case syntax.OpStar:
			b.WriteString("*")
		case syntax.OpPlus:
			b.WriteString("+")
		case syntax.OpQuest:
			b.WriteString("?")
		default:
			switch {
			case re.Max == -1:
				fmt.Fprintf(b, "{%d,}", re.Min)
			case re.Max == re.Min:
				fmt.Fprintf(b, "{%d}", re.Min)
			default:
				fmt.Fprintf(b, "{%d,%d}", re.Min, re.Max)
			}
		}
		if re.Flags&syntax.NonGreedy != 0 {
			b.WriteString("?")
		}
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !writeJS(b, sub) {
				return false
			}
		}
	case syntax.OpAlternate:
		b.WriteString("(?:")
		for i, sub := range re.Sub {
			if i > 0 {
				b.WriteString("|")
			}
			if !writeJS(b, sub) {
				return false
			}
		}
		b.WriteString(")")
	default: // multi-line ^ and $: a value is one line, the server decides
		return false
	}
	return true
}

// group writes re as one unit a quantifier can follow.
func group(b *strings.Builder, re *syntax.Regexp) bool {
	b.WriteString("(?:")
	ok := writeJS(b, re)
	b.WriteString(")")
	return ok
}

// jsRune writes r so that a JavaScript expression in u or v mode reads it
// as that character, inside a class or out.
func jsRune(r rune) string {
	if r == '_' || (r < 128 && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
		return string(r)
	}
	return fmt.Sprintf(`\u{%X}`, r)
}
