package logcheck

import (
	"context"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/check/cond"
	"github.com/vigil-sre/vigil/internal/clock"
)

var t0 = time.Date(2021, 9, 4, 9, 0, 0, 0, time.UTC)

const (
	okLine  = "Processing Order 3\nOrder Processed\n"
	errLine = "Error Processing Order. Error #12\n"
)

var _ io.Closer = (*prober)(nil)

// fixture is a log file and a prober following it.
type fixture struct {
	t     *testing.T
	path  string
	clock *clock.Fake
	p     *prober
}

func newFixture(t *testing.T, spec Spec, window time.Duration) *fixture {
	t.Helper()
	dir := t.TempDir()
	if spec.Path == "" {
		spec.Path = "order_processing.log"
	}
	if spec.Match == "" {
		spec.Match = "Error Processing Order"
	}
	fx := &fixture{t: t, path: filepath.Join(dir, spec.Path), clock: clock.NewFake(t0)}
	p, err := spec.NewProber(check.Env{Clock: fx.clock, Window: window, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	fx.p = p.(*prober)
	t.Cleanup(func() { fx.p.Close() })
	return fx
}

func (fx *fixture) write(s string) {
	fx.t.Helper()
	f, err := os.OpenFile(fx.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		fx.t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		fx.t.Fatal(err)
	}
}

func (fx *fixture) probe() Vars {
	fx.t.Helper()
	v, err := fx.p.Probe(context.Background())
	if err != nil {
		fx.t.Fatalf("probe: %v", err)
	}
	return v.(Vars)
}

// expect probes and checks the counts (matches, new_matches, lines).
func (fx *fixture) expect(matches, newMatches, lines int) Vars {
	fx.t.Helper()
	v := fx.probe()
	if v.Matches != matches || v.NewMatches != newMatches || v.Lines != lines {
		fx.t.Fatalf("matches, new_matches, lines = %d, %d, %d; want %d, %d, %d",
			v.Matches, v.NewMatches, v.Lines, matches, newMatches, lines)
	}
	return v
}

func TestWindow(t *testing.T) {
	fx := newFixture(t, Spec{}, 10*time.Minute)
	fx.write(okLine)
	fx.expect(0, 0, 0) // from: end
	fx.write(errLine + okLine + errLine)
	fx.expect(2, 2, 4)
	fx.clock.Advance(6 * time.Minute)
	fx.write(errLine)
	fx.expect(3, 1, 1)
	fx.clock.Advance(4 * time.Minute) // the first two are now 10m old
	fx.expect(1, 0, 0)
	fx.clock.Advance(6 * time.Minute)
	v := fx.expect(0, 0, 0)
	if v.LastMatch != "" {
		t.Errorf("last_match %q after the window emptied", v.LastMatch)
	}
}

func TestNoWindowCountsThisProbe(t *testing.T) {
	fx := newFixture(t, Spec{}, 0)
	fx.write("")
	fx.probe()
	fx.write(errLine + errLine)
	fx.expect(2, 2, 2)
	fx.expect(0, 0, 0)
}

func TestFrom(t *testing.T) {
	for _, c := range []struct {
		from    string
		matches int
	}{{"", 0}, {"end", 0}, {"start", 2}} {
		t.Run("from="+c.from, func(t *testing.T) {
			fx := newFixture(t, Spec{From: c.from}, time.Hour)
			fx.write(okLine + errLine + errLine)
			fx.expect(c.matches, c.matches, 4*c.matches/2)
			fx.write(errLine)
			fx.expect(c.matches+1, 1, 1)
		})
	}
}

func TestRotationRenameCreate(t *testing.T) {
	fx := newFixture(t, Spec{}, time.Hour)
	fx.write(okLine)
	fx.probe()
	fx.write(errLine)
	// The writer still holds the old file: lines it writes before reopening
	// land in the rotated file and must be counted, once.
	old, err := os.OpenFile(fx.path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(fx.path, fx.path+".1"); err != nil {
		t.Fatal(err)
	}
	old.WriteString(errLine + "Error Processing Order, unterminated")
	old.Close()
	fx.write(okLine + errLine)
	v := fx.expect(4, 4, 6)
	if v.LastMatch != strings.TrimSpace(errLine) {
		t.Errorf("last_match %q", v.LastMatch)
	}
	fx.expect(4, 0, 0)
	fx.write(errLine)
	fx.expect(5, 1, 1)
}

func TestRotationWithGap(t *testing.T) {
	fx := newFixture(t, Spec{}, time.Hour)
	fx.write(okLine)
	fx.probe()
	fx.write(errLine)
	if err := os.Rename(fx.path, fx.path+".1"); err != nil {
		t.Fatal(err)
	}
	_, err := fx.p.Probe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Fatalf("probe with the file gone: %v", err)
	}
	if fx.p.f != nil {
		t.Error("the rotated file is still open")
	}
	fx.write(errLine)
	fx.expect(2, 1, 1) // the line drained before the error stays in the window
}

func TestCopyTruncate(t *testing.T) {
	fx := newFixture(t, Spec{From: "start"}, time.Hour)
	fx.write(okLine + okLine + errLine + "Error Processing Order, partial")
	fx.expect(1, 1, 5)
	if err := os.Truncate(fx.path, 0); err != nil {
		t.Fatal(err)
	}
	fx.write(errLine)
	fx.expect(2, 1, 1) // the partial line went with the truncation
	fx.expect(2, 0, 0)
}

func TestPartialLine(t *testing.T) {
	fx := newFixture(t, Spec{}, time.Hour)
	fx.write("")
	fx.probe()
	fx.write("Error Processing Ord")
	v := fx.expect(0, 0, 0)
	if v.Bytes != 20 {
		t.Errorf("bytes = %d, want 20", v.Bytes)
	}
	fx.write("er. Error #12")
	fx.expect(0, 0, 0)
	fx.write("\nProcessing")
	v = fx.expect(1, 1, 1)
	if v.LastMatch != "Error Processing Order. Error #12" {
		t.Errorf("last_match %q", v.LastMatch)
	}
	fx.write(" Order 4\n")
	fx.expect(1, 0, 1)
}

func TestMissingFileThenAppears(t *testing.T) {
	fx := newFixture(t, Spec{From: "end"}, time.Hour)
	for range 2 {
		_, err := fx.p.Probe(context.Background())
		if err == nil || !strings.Contains(err.Error(), "open "+fx.path+": no such file") {
			t.Fatalf("probe of a missing file: %v", err)
		}
	}
	fx.write(okLine + errLine)
	fx.expect(1, 1, 3) // a file that appears later is new: read from its start
}

func TestPatternsWithoutLiteral(t *testing.T) {
	for _, c := range []struct {
		pattern string
		fold    bool // whether a case-insensitive literal is searched for
	}{
		{`(?i)^error processing order`, true},
		{`(?i)^error processing order|^\d+$`, false},
	} {
		fx := newFixture(t, Spec{From: "start", Match: c.pattern}, 0)
		if (len(fx.p.m.needles) > 0) != c.fold || fx.p.m.fold != c.fold {
			t.Fatalf("%q: needles %q, fold %v", c.pattern, fx.p.m.needles, fx.p.m.fold)
		}
		fx.write(okLine + errLine + "ERROR processing order #7\nan Error Processing Order #3\n")
		if v := fx.expect(2, 2, 5); v.LastMatch != "ERROR processing order #7" {
			t.Errorf("%q: last_match %q", c.pattern, v.LastMatch)
		}
	}
}

func TestMatchesOnOneLineCountOnce(t *testing.T) {
	fx := newFixture(t, Spec{From: "start"}, 0)
	fx.write("Error Processing Order; Error Processing Order; Error Processing Order\n" + okLine)
	fx.expect(1, 1, 3)
}

func TestMaxReadContinues(t *testing.T) {
	fx := newFixture(t, Spec{From: "start", MaxRead: 100}, time.Hour)
	content := strings.Repeat(okLine+errLine, 20) // 20 matches, 60 lines
	fx.write(content)
	var total, lines, probes int
	var read int64
	for read < int64(len(content)) {
		v := fx.probe()
		if v.Bytes > 100 {
			t.Fatalf("probe read %d bytes, max_read is 100", v.Bytes)
		}
		if v.Size != int64(len(content)) {
			t.Fatalf("size %d, want %d", v.Size, len(content))
		}
		read += v.Bytes
		total += v.NewMatches
		lines += v.Lines
		probes++
	}
	if total != 20 || lines != 60 || probes != (len(content)+99)/100 {
		t.Errorf("matches %d lines %d over %d probes; want 20, 60 over %d", total, lines, probes, (len(content)+99)/100)
	}
	fx.expect(20, 0, 0)
}

func TestLongLines(t *testing.T) {
	fx := newFixture(t, Spec{From: "start"}, 0)
	long := "Error Processing Order " + strings.Repeat("x", 3*maxLine) + " Error Processing Order\n"
	fx.write(long + okLine + "x" + long)
	v := fx.expect(2, 2, 4)
	if len(v.LastMatch) > lastMatchMax+len("…") || !strings.HasSuffix(v.LastMatch, "…") {
		t.Errorf("last_match not clipped: %d bytes", len(v.LastMatch))
	}
}

func TestLastMatch(t *testing.T) {
	cases := []struct{ line, want string }{
		{"Error Processing Order. Error #12\r\n", "Error Processing Order. Error #12"},
		{"Error Processing Order \xff\n", "Error Processing Order \uFFFD"},
		{"Error Processing Order " + strings.Repeat("é", 200) + "\n",
			"Error Processing Order " + strings.Repeat("é", (lastMatchMax-23)/2) + "…"},
	}
	for _, c := range cases {
		fx := newFixture(t, Spec{From: "start"}, 0)
		fx.write(errLine + c.line + okLine)
		if v := fx.expect(2, 2, 4); v.LastMatch != c.want {
			t.Errorf("last_match = %q, want %q", v.LastMatch, c.want)
		}
	}
}

func TestClose(t *testing.T) {
	fx := newFixture(t, Spec{}, 0)
	fx.write(okLine)
	fx.probe()
	if err := fx.p.Close(); err != nil {
		t.Fatal(err)
	}
	if fx.p.f != nil {
		t.Error("file still open after Close")
	}
	if _, err := fx.p.Probe(context.Background()); err == nil {
		t.Error("probe after Close succeeded")
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		spec Spec
		want []string // field: message prefix
	}{
		{Spec{Path: "a.log", Match: "x"}, nil},
		{Spec{Path: "a.log", Match: "x", From: "start", MaxRead: 1}, nil},
		{Spec{}, []string{"path: is required", "match: is required (a regular expression)"}},
		{Spec{Path: "a.log", Match: "(Error"}, []string{"match: is not a valid regular expression: missing closing ): `(Error`"}},
		{Spec{Path: "a.log", Match: `\p{Bogus}`}, []string{"match: is not a valid regular expression: invalid character class range: `\\p{Bogus}`"}},
		{Spec{Path: "a.log", Match: "x", From: "beginning", MaxRead: -1}, []string{`from: must be "end" or "start"`, "max_read: must not be negative"}},
	}
	for _, c := range cases {
		var got []string
		for _, p := range c.spec.Validate() {
			got = append(got, p.Field+": "+p.Message)
		}
		if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("%+v: got %q, want %q", c.spec, got, c.want)
		}
	}
}

// TestConditions runs the seed's check end to end: the condition compiles
// against Vars and the verdict names the count that broke it.
func TestConditions(t *testing.T) {
	spec := &Spec{}
	expr, err := cond.Compile("matches < 5", spec.Vars())
	if err != nil {
		t.Fatal(err)
	}
	fx := newFixture(t, Spec{}, 10*time.Minute)
	fx.write("")
	fx.probe()
	judge := func() check.Result {
		v, err := fx.p.Probe(context.Background())
		return check.Evaluate(fx.clock.Now(), 0, v, err, []*cond.Expr{expr}, nil)
	}
	fx.write(strings.Repeat(errLine, 4))
	if r := judge(); r.Status != check.Pass {
		t.Fatalf("4 errors: %s %s", r.Status, r.Reason)
	}
	fx.write(errLine + errLine)
	if r := judge(); r.Status != check.Fail || r.Reason != "matches < 5 failed (matches=6)" {
		t.Fatalf("6 errors: %s %q", r.Status, r.Reason)
	}
	fx.clock.Advance(10 * time.Minute)
	if r := judge(); r.Status != check.Pass {
		t.Fatalf("after the window: %s %s", r.Status, r.Reason)
	}
	if err := os.Remove(fx.path); err != nil {
		t.Fatal(err)
	}
	if r := judge(); r.Status != check.Fail || !strings.Contains(r.Reason, "no such file") {
		t.Fatalf("file removed: %s %q", r.Status, r.Reason)
	}
}

// TestFollowRandomWrites writes files in random pieces, probing in between
// with a max_read that falls behind the writer, rotating while behind, and
// compares the totals with grep -c over each file.
func TestFollowRandomWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	words := []string{"Error Processing Order", " ", "Processing", "Order", "\n", "\n", "#12", "error"}
	fx := newFixture(t, Spec{From: "start", MaxRead: 16}, 0)
	want, got, lines, wantLines := 0, 0, 0, 0
	probe := func() int64 {
		v := fx.probe()
		got += v.NewMatches
		lines += v.Lines
		return v.Bytes
	}
	for file := range 5 {
		var content strings.Builder
		for range 200 {
			content.WriteString(words[rng.IntN(len(words))])
		}
		c := content.String()
		if file == 4 && !strings.HasSuffix(c, "\n") {
			c += "\n" // the last file is never rotated away to flush its tail
		}
		n, _ := naiveCount(fx.p.m.re, []byte(c))
		want += n
		wantLines += strings.Count(c, "\n")
		if !strings.HasSuffix(c, "\n") {
			wantLines++ // counted when the file is rotated away
		}
		for i := 0; len(c) > 0; i++ {
			k := min(len(c), 1+rng.IntN(40))
			fx.write(c[:k])
			c = c[k:]
			probe()
			if i == 0 {
				// Finish the file rotated away before the next rotation: a
				// follower that is two rotations behind loses the middle file,
				// as tail -F does.
				for probe() > 0 {
				}
			}
		}
		if file < 4 {
			if err := os.Rename(fx.path, fx.path+"."+strconv.Itoa(file)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for probe() > 0 {
	}
	if got != want || lines != wantLines {
		t.Errorf("counted %d matches in %d lines, grep -c says %d in %d", got, lines, want, wantLines)
	}
}
