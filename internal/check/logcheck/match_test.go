package logcheck

import (
	"bytes"
	"math/rand/v2"
	"regexp"
	"testing"
)

// naiveCount is the reference: the regexp on every line, as grep -c does.
func naiveCount(re *regexp.Regexp, buf []byte) (n int, last string) {
	lines := bytes.Split(buf, []byte{'\n'})
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	for _, l := range lines {
		if re.Match(l) {
			n++
			last = string(l)
		}
	}
	return n, last
}

func TestNeedles(t *testing.T) {
	cases := []struct {
		pattern string
		needles string // joined by |
		pure    bool
		fold    bool
	}{
		{`Error Processing Order`, "Error Processing Order", true, false},
		{`Error Processing Order\. Error #\d+`, "Error Processing Order. Error #", false, false},
		{`^Error`, "Error", false, false},
		{`order (\d+) failed after retries`, " failed after retries", false, false},
		{`(Error)( Processing)`, "Error Processing", true, false},
		{`x+abc`, "abc", false, false},
		{`(abcd){2,}`, "abcd", false, false},
		{`(abcd){1}`, "abcd", true, false},
		{`[Ee]rror`, "Error|error", true, false},
		{`error|fatal`, "error|fatal", true, false},
		{`error|errno|fatal`, "errno|error|fatal", true, false},
		{`(error|fatal) in`, "error in|fatal in", true, false},
		{`(ERROR|FATAL):? .*failed order`, "failed order", false, false},
		{`(?i)ok`, "OK|Ok|O\u212a|oK|ok|o\u212a", true, false}, // K is the Kelvin sign's fold
		{`(?:ERROR|FATAL) \d+`, "ERROR |FATAL ", false, false},
		{`a|b|c|d|e|f|g|h|i`, "", false, false}, // more than maxNeedles
		{`[a-z]rror`, "rror", false, false},
		{`(?i)error`, "error", false, true},
		{`(?i)Error Processing Order`, "error proce", false, true}, // s and k fold to non-ASCII too
		{`(?i:error) #\d+`, " #", false, false},
		{`(?i:error)(?-i:PAGE)`, "PAGE", false, false},
		{`(?i)(error|timeout)`, "error|timeout", false, true},
		{`(?i)échec`, "chec", false, true},
		{`(?i)x(?-i:é)`, "Xé|xé", true, false},
		{`(?i)k`, "K|k|\u212a", true, false},
		{`(?i)\x{212a}`, "K|k|\u212a", true, false},
		{`error|`, "", false, false},
		{`(abc)?`, "", false, false},
		{`a*`, "", false, false},
		{`foo\nbar`, "", false, false},
		{"\uFFFD", "", false, false},
		{``, "", false, false},
		{`.`, "", false, false},
	}
	for _, c := range cases {
		m, err := newMatcher(c.pattern)
		if err != nil {
			t.Fatalf("%q: %v", c.pattern, err)
		}
		got := string(bytes.Join(m.needles, []byte("|")))
		if got != c.needles || m.pure != c.pure || m.fold != c.fold {
			t.Errorf("%q: needles %q pure %v fold %v, want %q %v %v", c.pattern, got, m.pure, m.fold, c.needles, c.pure, c.fold)
		}
	}
}

func TestLowerASCII(t *testing.T) {
	src := make([]byte, 256+7)
	for i := range 256 {
		src[i] = byte(i)
	}
	copy(src[256:], "AZaz@[`")
	for off := range 8 {
		in := src[off:]
		got := lowerASCII(make([]byte, len(in)), in)
		for i, c := range in {
			want := c
			if 'A' <= c && c <= 'Z' {
				want = c + 32
			}
			if got[i] != want {
				t.Fatalf("offset %d: lower(%#x) = %#x, want %#x", off, c, got[i], want)
			}
		}
	}
}

func TestCountMatchesNaive(t *testing.T) {
	patterns := []string{
		`Error Processing Order`, `Error Processing Order\. Error #\d+`, `^Error`, `Order$`,
		`\bOrder\b`, `(?i)error`, `error|Processed`, `Order \d{2}$`, `[Ee]rror`, ``, `^$`,
		`Processing`, "\uFFFD", `Order 7\nProcessing`, `(Error)+ #1`,
		`(?i)error processing order`, `(?i)ask`, `(?i)échec`, `(?i:error)(?-i:PAGE)`,
		`Error|Processed`, `(Order|Error) (Processed|#12)`, `[Ee]rror|7$`, `(?i)(order|page)`,
	}
	inputs := [][]byte{
		nil,
		[]byte("\n"),
		[]byte("Error Processing Order"),
		[]byte("Processing Order 1\nOrder Processed\nError Processing Order. Error #12\n"),
		// Several occurrences on one line count once.
		[]byte("Error Processing Order Error Processing Order\nx\nError Processing Order\n"),
		[]byte("\n\nError\n\nerror\r\nError Processing Order. Error #"),
		[]byte("bad \xff bytes Error\n\xef\xbf\xbd Error\n"),
		[]byte("ASK\naſk\n\u212Ask\nÉCHEC\néchec\nERROR PROCESSING ORDER\nerror proceſſing order\nERRORPAGE\nerrorpage\n"),
		orderLog(20 << 10),
	}
	rng := rand.New(rand.NewPCG(1, 2))
	words := []string{"Error", " ", "Processing", "Order", "\n", "#12", "7", "error", "\xff", "Processed", "ORDER", "PAGE", "ſ"}
	for range 50 {
		var b []byte
		for range rng.IntN(60) {
			b = append(b, words[rng.IntN(len(words))]...)
		}
		inputs = append(inputs, b)
	}
	for _, p := range patterns {
		m, err := newMatcher(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range inputs {
			n, last := m.count(in)
			wn, wlast := naiveCount(m.re, in)
			if n != wn || string(last) != wlast {
				t.Errorf("%q on %q: got %d %q, want %d %q", p, in[:min(len(in), 80)], n, last, wn, wlast)
			}
		}
	}
}

func FuzzCount(f *testing.F) {
	f.Add(`Error Processing Order`, []byte("Error Processing Order\nx\n"))
	f.Add(`a(b)c\d`, []byte("abc1\nabc\nxabc2abc3\n"))
	f.Add(`(?i)ok|(fatal|error) in`, []byte("OK\nerror in\nfatal\n\u212a\n"))
	f.Add(`[Ee]rror|x{2}`, []byte("rror\nError\nxx\n"))
	f.Fuzz(func(t *testing.T, pattern string, in []byte) {
		m, err := newMatcher(pattern)
		if err != nil {
			return
		}
		n, last := m.count(in)
		wn, wlast := naiveCount(m.re, in)
		if n != wn || string(last) != wlast {
			t.Errorf("%q on %q: got %d %q, want %d %q", pattern, in, n, last, wn, wlast)
		}
	})
}
