package logcheck

import (
	"bytes"
	"encoding/binary"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// matcher counts the lines of a buffer that match a pattern, as grep -c does.
// Running a regexp line by line costs a call per line, so when every match must
// contain one of a few literals, matcher jumps between their occurrences with
// bytes.Index (vectorised) and runs the regexp only on the lines they fall in.
// A matcher is not safe for concurrent use: it keeps scratch state.
type matcher struct {
	re *regexp.Regexp
	// needles are strings one of which every match contains; none when the
	// pattern has no such literals.
	needles [][]byte
	// pure means the pattern matches exactly the needles, so finding one is a
	// match and the regexp need not run.
	pure bool
	// fold means the needles hold up to ASCII case and are in lower case; they
	// are looked for in an ASCII-lowered copy of the buffer, which keeps
	// (?i)error within a small factor of a plain literal.
	fold    bool
	scratch []byte
	next    []int // per needle, where it next occurs in the buffer being counted
}

// maxNeedles bounds the literals searched for at once; beyond a handful, each
// bytes.Index pass costs more than it saves.
const maxNeedles = 8

func newMatcher(pattern string) (*matcher, error) {
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, err
	}
	m := &matcher{re: re}
	// regexp.Compile parses with syntax.Perl too, so this cannot fail here.
	tree, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return m, nil
	}
	for _, fold := range []bool{false, true} {
		n := required(tree, fold)
		if n.score() == 0 {
			continue
		}
		for _, a := range n.alts {
			m.needles = append(m.needles, []byte(a))
		}
		m.pure, m.fold = n.exact && !fold, fold
		m.next = make([]int, len(m.needles))
		break
	}
	return m, nil
}

// need is what a pattern demands of its matches: every match contains one of
// alts. exact means the pattern matches the strings in alts and nothing else.
type need struct {
	alts  []string
	exact bool
}

// score ranks needs: the longer the shortest alternative, the rarer the
// occurrences that must be checked. 0 means the need is of no use: it is
// unknown, or admits the empty string, or spans lines (a pattern that needs a
// newline never matches within a line, which the regexp will find out).
func (n need) score() int {
	if len(n.alts) == 0 {
		return 0
	}
	s := len(n.alts[0])
	for _, a := range n.alts {
		if strings.Contains(a, "\n") {
			return 0
		}
		s = min(s, len(a))
	}
	return s
}

func better(a, b need) need {
	if b.score() > a.score() {
		return b
	}
	return a
}

// required works out what every match of re contains; conservative, it says
// nothing when unsure. With fold, the strings are lower case and hold up to
// ASCII case.
func required(re *syntax.Regexp, fold bool) need {
	switch re.Op {
	case syntax.OpLiteral:
		if re.Flags&syntax.FoldCase != 0 && !fold {
			return foldVariants(re)
		}
		pieces := literalPieces(re, fold)
		if len(pieces) == 1 {
			return need{alts: pieces, exact: true}
		}
		var best string
		for _, p := range pieces {
			if len(p) > len(best) {
				best = p
			}
		}
		return need{alts: []string{best}}
	case syntax.OpCharClass:
		// A small class such as [Ee] is a set of one-rune literals.
		var alts []string
		for i := 0; i+1 < len(re.Rune); i += 2 {
			for r := re.Rune[i]; r <= re.Rune[i+1]; r++ {
				if len(alts) == maxNeedles || r == utf8.RuneError {
					return need{}
				}
				if fold && r < utf8.RuneSelf {
					r = unicode.ToLower(r)
				}
				alts = append(alts, string(r))
			}
		}
		return need{alts: dedupe(alts), exact: true}
	case syntax.OpEmptyMatch:
		return need{alts: []string{""}, exact: true}
	case syntax.OpCapture:
		return required(re.Sub[0], fold)
	case syntax.OpPlus:
		return need{alts: required(re.Sub[0], fold).alts}
	case syntax.OpRepeat:
		if re.Min < 1 {
			return need{}
		}
		n := required(re.Sub[0], fold)
		n.exact = n.exact && re.Min == 1 && re.Max == 1
		return n
	case syntax.OpAlternate:
		// Every match matches some branch, so contains what that branch needs.
		n := need{exact: true}
		for _, sub := range re.Sub {
			s := required(sub, fold)
			if s.score() == 0 || len(n.alts)+len(s.alts) > maxNeedles {
				return need{}
			}
			n.alts = append(n.alts, s.alts...)
			n.exact = n.exact && s.exact
		}
		n.alts = dedupe(n.alts)
		return n
	case syntax.OpConcat:
		// Adjacent exact parts are contiguous in every match, so they join into
		// longer (and so rarer) literals: "err" then (or|no) needs error or
		// errno. Otherwise each part's need holds; the best one wins.
		var best need
		run := []string{""}
		exact := true
		for _, sub := range re.Sub {
			s := required(sub, fold)
			if s.exact && len(run)*len(s.alts) <= maxNeedles {
				run = cross(run, s.alts)
				continue
			}
			exact = false
			best = better(best, need{alts: run})
			if s.exact {
				run = s.alts
				continue
			}
			best = better(best, need{alts: s.alts})
			run = []string{""}
		}
		if exact {
			return need{alts: dedupe(run), exact: true}
		}
		return better(best, need{alts: run})
	}
	return need{}
}

func cross(a, b []string) []string {
	out := make([]string, 0, len(a)*len(b))
	for _, x := range a {
		for _, y := range b {
			out = append(out, x+y)
		}
	}
	return out
}

func dedupe(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// foldVariants spells out a short case-folded literal, as the parser writes
// [Ee]: E, e. Longer ones have too many spellings; fold mode handles them.
func foldVariants(re *syntax.Regexp) need {
	alts := []string{""}
	for _, r := range re.Rune {
		var orbit []string
		for f := r; ; {
			if f == utf8.RuneError {
				return need{}
			}
			orbit = append(orbit, string(f))
			if f = unicode.SimpleFold(f); f == r {
				break
			}
		}
		if len(alts)*len(orbit) > maxNeedles {
			return need{}
		}
		alts = cross(alts, orbit)
	}
	return need{alts: alts, exact: true}
}

// literalPieces splits a literal at the runes that cannot be searched for as
// bytes: U+FFFD (it also matches invalid UTF-8) and, under case folding, any
// rune with a fold outside ASCII (k matches the Kelvin sign, s matches ſ).
func literalPieces(re *syntax.Regexp, fold bool) []string {
	foldCase := re.Flags&syntax.FoldCase != 0
	var pieces []string
	var b strings.Builder
	for _, r := range re.Rune {
		switch {
		case r == utf8.RuneError, foldCase && !asciiFold(r):
			pieces = append(pieces, b.String())
			b.Reset()
		case fold && r < utf8.RuneSelf:
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return append(pieces, b.String())
}

// asciiFold reports whether r and every rune it folds to are ASCII.
func asciiFold(r rune) bool {
	for f := r; ; {
		if f >= utf8.RuneSelf {
			return false
		}
		if f = unicode.SimpleFold(f); f == r {
			return true
		}
	}
}

// count returns how many lines of buf match and the last one that did. Lines
// are separated by '\n'; text after the last '\n' counts as a line of its own.
func (m *matcher) count(buf []byte) (n int, last []byte) {
	if len(m.needles) == 0 {
		return m.countLines(buf)
	}
	hay := buf
	if m.fold {
		// Lowering keeps every byte where it was, so positions found in the
		// copy are positions in buf.
		if cap(m.scratch) < len(buf) {
			m.scratch = make([]byte, len(buf))
		}
		hay = lowerASCII(m.scratch[:len(buf)], buf)
	}
	for k := range m.next {
		m.next[k] = -2 // not looked for yet
	}
	for pos := 0; pos < len(buf); {
		i := m.index(hay, pos)
		if i < 0 {
			break
		}
		// pos is always at a line start, so the line begins at pos or later.
		start := pos + bytes.LastIndexByte(buf[pos:i], '\n') + 1
		end := len(buf)
		if j := bytes.IndexByte(buf[i:], '\n'); j >= 0 {
			end = i + j
		}
		if line := buf[start:end]; m.pure || m.re.Match(line) {
			n++
			last = line
		}
		// The line is settled either way; further occurrences in it don't count.
		pos = end + 1
	}
	return n, last
}

// index returns where the first needle occurrence at or after pos starts, or
// -1. With several needles it remembers where each occurs next, so each part
// of the buffer is searched once per needle.
func (m *matcher) index(hay []byte, pos int) int {
	if len(m.needles) == 1 {
		if i := bytes.Index(hay[pos:], m.needles[0]); i >= 0 {
			return pos + i
		}
		return -1
	}
	best := -1
	for k, nd := range m.needles {
		if m.next[k] == -1 {
			continue // no more of it in this buffer
		}
		if m.next[k] < pos {
			m.next[k] = -1
			if i := bytes.Index(hay[pos:], nd); i >= 0 {
				m.next[k] = pos + i
			}
		}
		if m.next[k] >= 0 && (best < 0 || m.next[k] < best) {
			best = m.next[k]
		}
	}
	return best
}

// countLines is the fallback for patterns with no required literal.
func (m *matcher) countLines(buf []byte) (n int, last []byte) {
	for len(buf) > 0 {
		line, rest := buf, []byte(nil)
		if j := bytes.IndexByte(buf, '\n'); j >= 0 {
			line, rest = buf[:j], buf[j+1:]
		}
		if m.re.Match(line) {
			n++
			last = line
		}
		buf = rest
	}
	return n, last
}

// lowerASCII writes src to dst with A-Z lowered, eight bytes at a time, and
// returns dst. Bytes from 0x80 up are left alone.
func lowerASCII(dst, src []byte) []byte {
	const (
		ones = 0x0101010101010101
		high = 0x8080808080808080
	)
	i := 0
	for ; i+8 <= len(src); i += 8 {
		w := binary.LittleEndian.Uint64(src[i:])
		low7 := w &^ high
		// A byte's high bit in ge is set when its low 7 bits are >= 'A', in gt
		// when they are > 'Z'; no addition carries across bytes.
		ge := low7 + (0x80-'A')*ones
		gt := low7 + (0x80-'Z'-1)*ones
		upper := ge &^ gt &^ w & high
		binary.LittleEndian.PutUint64(dst[i:], w|upper>>2)
	}
	for ; i < len(src); i++ {
		c := src[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst[i] = c
	}
	return dst
}
