package chatlog

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

// show renders a message in one line so a failing case prints what differs.
func show(m Message) string {
	return fmt.Sprintf("L%d %s %q %q %v", m.Line, m.At.Format("2006-01-02 15:04 MST"), m.Author, m.Text, m.Mentions)
}

func showAll(ms []Message) []string {
	out := make([]string, len(ms))
	for i, m := range ms {
		out[i] = show(m)
	}
	return out
}

func sep4(t *testing.T) time.Time {
	t.Helper()
	day, err := ParseDate("2021-09-04", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	return day
}

func TestParseSeedOutage(t *testing.T) {
	f, err := os.Open("testdata/seed-outage.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	msgs, problems, err := Parse(f, sep4(t), time.UTC)
	if err != nil {
		t.Fatal(err)
	}

	// Every message of the chat, in order: its line, time and author as written.
	want := []struct {
		line   int
		at     string
		author string
	}{
		{1, "09:15", "svega"}, {3, "09:16", "YOU"}, {5, "09:20", "YOU"}, {7, "09:30", "sparrow"},
		{9, "09:32", "khouse"}, {11, "09:35", "ghammer"}, {13, "09:37", "gtree"}, {15, "09:38", "ghammer"},
		{17, "09:40", "svega"}, {19, "09:43", "YOU"}, {21, "09:45", "YOU"}, {23, "09:47", "YOU"},
		{25, "09:52", "hammer"}, {27, "09:55", "svega"}, {29, "09:56", "hammer"}, {31, "10:05", "gtree"},
		{33, "10:07", "ghammer"}, {35, "10:10", "hammer"}, {37, "10:11", "khouse"}, {39, "10:12", "hammer"},
		{41, "10:13", ""}, {43, "10:15", "YOU"}, {45, "10:17", "YOU"}, {47, "10:23", "YOU"},
		{49, "10:26", "hammer"}, {51, "10:30", "svega"},
	}
	if len(msgs) != len(want) {
		t.Fatalf("got %d messages, want %d:\n%s", len(msgs), len(want), strings.Join(showAll(msgs), "\n"))
	}
	for i, w := range want {
		m := msgs[i]
		if m.Line != w.line || m.At.Format("15:04") != w.at || m.Author != w.author {
			t.Errorf("message %d = %s, want line %d at %s by %q", i, show(m), w.line, w.at, w.author)
		}
		if y, mo, d := m.At.Date(); y != 2021 || mo != time.September || d != 4 || m.At.Location() != time.UTC {
			t.Errorf("message %d is on %s, want 2021-09-04 UTC", i, m.At)
		}
	}
	if first, want := msgs[0].At, time.Date(2021, 9, 4, 9, 15, 0, 0, time.UTC); !first.Equal(want) {
		t.Errorf("first message at %s, want %s", first, want)
	}
	if last, want := msgs[len(msgs)-1].At, time.Date(2021, 9, 4, 10, 30, 0, 0, time.UTC); !last.Equal(want) {
		t.Errorf("last message at %s, want %s", last, want)
	}

	// The text loses the time, the "--" and the FROM, and nothing else.
	texts := map[int]string{
		1:  "Hey we have reports of an application outage and we can not reach the app either.",
		5:  "!svega !bsparrow !ghammer !khouse !gtree we have an application outage",
		7:  "Everything looks good from the network",
		35: "I think there was a mixup when doing the deployment. The wrong scripts was used and that build was deployed to prod.",
		41: "Thats good. We should be able to just revert back then. !svega",
	}
	mentioned := map[int][]string{
		5:  {"svega", "bsparrow", "ghammer", "khouse", "gtree"},
		29: {"gtree"},
		31: {"sre", "ghammer"},
		37: {"ghammer"},
		41: {"svega"},
	}
	for _, m := range msgs {
		if want, ok := texts[m.Line]; ok && m.Text != want {
			t.Errorf("line %d text = %q, want %q", m.Line, m.Text, want)
		}
		if want := mentioned[m.Line]; !slices.Equal(m.Mentions, want) {
			t.Errorf("line %d mentions = %q, want %q", m.Line, m.Mentions, want)
		}
	}

	// 10:13 is the one line of the seed that names nobody.
	wantProblems := []Problem{{Line: 41, Msg: "no FROM: name at the end; imported with an empty author"}}
	if !slices.Equal(problems, wantProblems) {
		t.Errorf("problems = %v, want %v", problems, wantProblems)
	}
}

func TestParseFormats(t *testing.T) {
	noFrom := func(line int) Problem {
		return Problem{line, "no FROM: name at the end; imported with an empty author"}
	}
	tests := []struct {
		name     string
		in       string
		want     []string
		problems []Problem
	}{
		{
			name: "HH:MM, no separator, bold author",
			in:   "09:15 Hey we have reports of an application outage **FROM: svega**",
			want: []string{`L1 2021-09-04 09:15 UTC "svega" "Hey we have reports of an application outage" []`},
		},
		{
			name: "HHMM with separator, plain FROM:",
			in:   "0935 -- Everything here looks normal. FROM: ghammer",
			want: []string{`L1 2021-09-04 09:35 UTC "ghammer" "Everything here looks normal." []`},
		},
		{
			name: "FROM without its colon",
			in:   "1010 -- the wrong scripts were used. FROM hammer",
			want: []string{`L1 2021-09-04 10:10 UTC "hammer" "the wrong scripts were used." []`},
		},
		{
			name: "period after the author inside bold, and mentions",
			in:   "09:20 -- !svega !bsparrow we have an application outage **FROM: YOU.**",
			want: []string{`L1 2021-09-04 09:20 UTC "YOU" "!svega !bsparrow we have an application outage" [svega bsparrow]`},
		},
		{
			name: "lower-case from: with its colon",
			in:   "09:15 db is up from: khouse",
			want: []string{`L1 2021-09-04 09:15 UTC "khouse" "db is up" []`},
		},
		{
			name:     "lower-case bare from is prose, not an author",
			in:       "09:15 the errors come from nginx",
			want:     []string{`L1 2021-09-04 09:15 UTC "" "the errors come from nginx" []`},
			problems: []Problem{noFrom(1)},
		},
		{
			name: "lower-case bare from in bold is a marker",
			in:   "09:15 hi **from svega**",
			want: []string{`L1 2021-09-04 09:15 UTC "svega" "hi" []`},
		},
		{
			name: "author in italics",
			in:   "09:15 hi *FROM: svega*",
			want: []string{`L1 2021-09-04 09:15 UTC "svega" "hi" []`},
		},
		{
			name: "author of several words after FROM:",
			in:   "09:15 paging the DBA FROM: Sam Vega",
			want: []string{`L1 2021-09-04 09:15 UTC "Sam Vega" "paging the DBA" []`},
		},
		{
			name:     "FROM that names nobody",
			in:       "09:15 hi **FROM:**",
			want:     []string{`L1 2021-09-04 09:15 UTC "" "hi" []`},
			problems: []Problem{{1, "FROM names nobody; imported with an empty author"}},
		},
		{
			name: "surrounding whitespace, CRLF, BOM and blank lines",
			in:   "\uFEFF  \r\n\t09:15   Hey there   FROM: svega  \r\n\r\n\r\n 09:16 — ok **FROM: YOU**\r\n",
			want: []string{
				`L2 2021-09-04 09:15 UTC "svega" "Hey there" []`,
				`L5 2021-09-04 09:16 UTC "YOU" "ok" []`,
			},
		},
		{
			name: "mentions once each, without punctuation, not inside words",
			in:   "09:15 !gtree, !gtree. ping !khouse! wow!not FROM: YOU",
			want: []string{`L1 2021-09-04 09:15 UTC "YOU" "!gtree, !gtree. ping !khouse! wow!not" [gtree khouse]`},
		},
		{
			name: "wrapped line continues the message until its FROM",
			in:   "09:15 long message that\nwraps onto !gtree second line\n#42 is the ticket FROM: svega\n09:16 next FROM: YOU",
			want: []string{
				`L1 2021-09-04 09:15 UTC "svega" "long message that\nwraps onto !gtree second line\n#42 is the ticket" [gtree]`,
				`L4 2021-09-04 09:16 UTC "YOU" "next" []`,
			},
		},
		{
			name:     "line after a finished message is skipped",
			in:       "09:15 done FROM: svega\nstray text\n",
			want:     []string{`L1 2021-09-04 09:15 UTC "svega" "done" []`},
			problems: []Problem{{2, "no leading time (HH:MM or HHMM), and the message above already ended with its FROM; line skipped"}},
		},
		{
			name:     "a blank line ends a message",
			in:       "09:15 started\n\nmore text FROM: svega",
			want:     []string{`L1 2021-09-04 09:15 UTC "" "started" []`},
			problems: []Problem{noFrom(1), {3, "no leading time (HH:MM or HHMM); line skipped"}},
		},
		{
			name:     "text before the first message",
			in:       "On-Call Shift -- Alert 4\n\n09:15 hi FROM: svega",
			want:     []string{`L3 2021-09-04 09:15 UTC "svega" "hi" []`},
			problems: []Problem{{1, "no leading time (HH:MM or HHMM); line skipped"}},
		},
		{
			name: "a heading ends a message and is skipped",
			in:   "09:15 started\n## Resolution\n---",
			want: []string{`L1 2021-09-04 09:15 UTC "" "started" []`},
			problems: []Problem{
				noFrom(1),
				{2, "heading, not a chat message; line skipped"},
				{3, "heading, not a chat message; line skipped"},
			},
		},
		{
			name: "shaped like a time but not a time of day",
			in:   "25:61 -- nope FROM: x\n0960 -- nope FROM: y\n09:15 ok FROM: svega",
			want: []string{`L3 2021-09-04 09:15 UTC "svega" "ok" []`},
			problems: []Problem{
				{1, `"25:61" is not a time of day; line skipped`},
				{2, `"0960" is not a time of day; line skipped`},
			},
		},
		{
			name: "dates and three digits are not times",
			in:   "2021-09-04 -- summary\n930 -- three digits FROM: x",
			problems: []Problem{
				{1, "no leading time (HH:MM or HHMM); line skipped"},
				{2, "no leading time (HH:MM or HHMM); line skipped"},
			},
		},
		{
			name: "after midnight is the next day",
			in:   "23:58 -- still down FROM: YOU\n0003 -- back up FROM: svega\n00:10 -- confirmed FROM: gtree",
			want: []string{
				`L1 2021-09-04 23:58 UTC "YOU" "still down" []`,
				`L2 2021-09-05 00:03 UTC "svega" "back up" []`,
				`L3 2021-09-05 00:10 UTC "gtree" "confirmed" []`,
			},
		},
		{
			name: "the same minute twice stays on the day",
			in:   "09:15 a FROM: x\n09:15 b FROM: y",
			want: []string{
				`L1 2021-09-04 09:15 UTC "x" "a" []`,
				`L2 2021-09-04 09:15 UTC "y" "b" []`,
			},
		},
		{
			name: "a small step back is read as the next day, and said",
			in:   "09:52 a FROM: x\n09:50 b FROM: y",
			want: []string{
				`L1 2021-09-04 09:52 UTC "x" "a" []`,
				`L2 2021-09-05 09:50 UTC "y" "b" []`,
			},
			problems: []Problem{{2, "09:50 is earlier than 09:52 on line 1; read as the next day"}},
		},
		{
			name:     "invalid UTF-8 is replaced and reported",
			in:       "09:15 caf\xe9 down FROM: svega",
			want:     []string{"L1 2021-09-04 09:15 UTC \"svega\" \"caf\uFFFD down\" []"},
			problems: []Problem{{1, "not valid UTF-8; the bad bytes were replaced with U+FFFD"}},
		},
		{
			name: "empty input",
			in:   "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, problems, err := Parse(strings.NewReader(tt.in), sep4(t), time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if got := showAll(msgs); !slices.Equal(got, tt.want) {
				t.Errorf("messages:\n got  %q\n want %q", got, tt.want)
			}
			if !slices.Equal(problems, tt.problems) {
				t.Errorf("problems:\n got  %v\n want %v", problems, tt.problems)
			}
		})
	}
}

func TestParseZone(t *testing.T) {
	// The times are in loc; the day is the calendar date of day as given,
	// even when day is midnight in a zone where loc is still on the day before.
	edt := time.FixedZone("EDT", -4*60*60)
	day := time.Date(2021, 9, 4, 0, 0, 0, 0, time.UTC)
	msgs, _, err := Parse(strings.NewReader("23:58 a FROM: x\n00:03 b FROM: y"), day, edt)
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{
		time.Date(2021, 9, 5, 3, 58, 0, 0, time.UTC),
		time.Date(2021, 9, 5, 4, 3, 0, 0, time.UTC),
	}
	if len(msgs) != len(want) {
		t.Fatalf("got %d messages, want %d", len(msgs), len(want))
	}
	for i, w := range want {
		if !msgs[i].At.Equal(w) || msgs[i].At.Location() != edt {
			t.Errorf("message %d at %s, want %s in EDT", i, msgs[i].At, w)
		}
	}

	// Without loc, the times are in day's zone.
	msgs, _, err = Parse(strings.NewReader("09:15 a FROM: x"), time.Date(2021, 9, 4, 0, 0, 0, 0, edt), nil)
	if err != nil || len(msgs) != 1 || !msgs[0].At.Equal(time.Date(2021, 9, 4, 13, 15, 0, 0, time.UTC)) {
		t.Errorf("nil loc: got %q, %v; want 09:15 EDT", showAll(msgs), err)
	}
}

func TestParseErrors(t *testing.T) {
	readFailed := errors.New("disk on fire")
	tests := []struct {
		name string
		in   func() *strings.Reader
		day  time.Time
		code errs.Code
		msg  string
	}{
		{
			name: "no day",
			in:   func() *strings.Reader { return strings.NewReader("09:15 hi FROM: x") },
			code: errs.Invalid,
			msg:  "chat log: no date given for its first time",
		},
		{
			name: "too many lines",
			in:   func() *strings.Reader { return strings.NewReader(strings.Repeat("\n", MaxLines+1)) },
			day:  sep4(t),
			code: errs.TooLarge,
			msg:  "chat log has 50001 lines, more than the limit of 50000",
		},
		{
			name: "too many lines without a final newline",
			in:   func() *strings.Reader { return strings.NewReader(strings.Repeat("x\n", MaxLines) + "x") },
			day:  sep4(t),
			code: errs.TooLarge,
			msg:  "chat log has 50001 lines, more than the limit of 50000",
		},
		{
			name: "too many bytes",
			in:   func() *strings.Reader { return strings.NewReader(strings.Repeat("x", MaxBytes+1)) },
			day:  sep4(t),
			code: errs.TooLarge,
			msg:  "chat log is larger than 16 MiB",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, _, err := Parse(tt.in(), tt.day, time.UTC)
			if err == nil {
				t.Fatalf("no error; got %d messages", len(msgs))
			}
			if errs.CodeOf(err) != tt.code || err.Error() != tt.msg {
				t.Errorf("error = %s %q, want %s %q", errs.CodeOf(err), err, tt.code, tt.msg)
			}
		})
	}

	t.Run("at the limits", func(t *testing.T) {
		msgs, problems, err := Parse(strings.NewReader(strings.Repeat("09:15 a FROM: x\n", MaxLines)), sep4(t), time.UTC)
		if err != nil || len(msgs) != MaxLines || len(problems) != 0 {
			t.Errorf("%d lines: %d messages, %d problems, error %v; want %d, 0, nil", MaxLines, len(msgs), len(problems), err, MaxLines)
		}
		big := strings.Repeat("x", MaxBytes-len("09:15  FROM: y")-1)
		msgs, _, err = Parse(strings.NewReader("09:15 "+big+" FROM: y\n"), sep4(t), time.UTC)
		if err != nil || len(msgs) != 1 || msgs[0].Author != "y" {
			t.Errorf("one line of %d MiB: %d messages, error %v; want 1 by y", MaxBytes>>20, len(msgs), err)
		}
	})

	t.Run("reader fails", func(t *testing.T) {
		_, _, err := Parse(iotest.ErrReader(readFailed), sep4(t), time.UTC)
		if !errors.Is(err, readFailed) || err.Error() != "reading chat log: disk on fire" {
			t.Errorf("error = %v, want it to wrap the read error", err)
		}
	})
}

func TestMessageJSON(t *testing.T) {
	b, err := json.Marshal(Message{At: time.Date(2021, 9, 4, 9, 20, 0, 0, time.UTC), Author: "YOU", Text: "!svega outage", Mentions: []string{"svega"}, Line: 5})
	if err != nil {
		t.Fatal(err)
	}
	want := `{"at":"2021-09-04T09:20:00Z","author":"YOU","text":"!svega outage","mentions":["svega"],"line":5}`
	if string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
	b, _ = json.Marshal(Problem{Line: 41, Msg: "no FROM"})
	if want := `{"line":41,"message":"no FROM"}`; string(b) != want {
		t.Errorf("JSON = %s, want %s", b, want)
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		loc  *time.Location
		want time.Time
		err  string
	}{
		{in: "2021-09-04", loc: time.UTC, want: time.Date(2021, 9, 4, 0, 0, 0, 0, time.UTC)},
		{in: " 2021-09-04\n", loc: time.UTC, want: time.Date(2021, 9, 4, 0, 0, 0, 0, time.UTC)},
		{in: "2021-09-04", loc: time.FixedZone("EDT", -4*60*60), want: time.Date(2021, 9, 4, 4, 0, 0, 0, time.UTC)},
		{in: "", loc: time.UTC, err: "no date given; want YYYY-MM-DD, such as 2021-09-04"},
		{in: "2021-9-4", loc: time.UTC, err: `date "2021-9-4" is not YYYY-MM-DD, such as 2021-09-04`},
		{in: "04/09/2021", loc: time.UTC, err: `date "04/09/2021" is not YYYY-MM-DD, such as 2021-09-04`},
		{in: "2021-02-30", loc: time.UTC, err: `date "2021-02-30": day out of range`},
		{in: "2021-13-01", loc: time.UTC, err: `date "2021-13-01": month out of range`},
		{in: "2021-09-04T09:15", loc: time.UTC, err: `date "2021-09-04T09:15": extra text: "T09:15"`},
		{in: "2021-09-04", loc: nil, err: `date "2021-09-04": no time zone given`},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.loc)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err || errs.CodeOf(err) != errs.Invalid {
				t.Errorf("ParseDate(%q) error = %v, want invalid %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !got.Equal(tt.want) || got.Location() != tt.loc {
			t.Errorf("ParseDate(%q) = %s, %v; want %s in %s", tt.in, got, err, tt.want, tt.loc)
		}
	}
}
