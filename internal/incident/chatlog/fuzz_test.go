package chatlog

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/errs"
)

// Chat logs are pasted in by responders and exported from Slack: any bytes
// at all. These fuzz targets hold both parsers to their doc comments for
// every input. Seeds are the testdata files and run with every go test; to
// search for new inputs (see README, Developing):
//
//	go test -run '^$' -fuzz '^FuzzParse$' -fuzztime 30s -fuzzminimizetime 10s ./internal/incident/chatlog/

func seedFile(f *testing.F, name string) []byte {
	f.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

func FuzzParse(f *testing.F) {
	f.Add(seedFile(f, "testdata/seed-outage.txt"), uint8(0))
	f.Add([]byte("23:50 -- late FROM: a\n00:10 early FROM: b\n  wrapped\n## Heading\n9999 x\n"), uint8(1))
	f.Add([]byte("0915 **FROM: svega**\n09:16 text\ncontinued FROM hammer\n\xff\xfe\n"), uint8(2))
	zones := []*time.Location{time.UTC, time.FixedZone("ICT", 7*3600), time.FixedZone("M", -11*3600)}
	f.Fuzz(func(t *testing.T, data []byte, zone uint8) {
		loc := zones[int(zone)%len(zones)]
		day := time.Date(2021, 9, 4, 0, 0, 0, 0, loc)
		msgs, problems, err := Parse(bytes.NewReader(data), day, loc)
		lines := strings.Count(string(data), "\n") + 1
		if err != nil {
			if errs.CodeOf(err) != errs.TooLarge || lines <= MaxLines {
				t.Fatalf("error for a readable log: %v", err)
			}
			return
		}
		prevLine, prevAt := 0, day
		for i, m := range msgs {
			switch {
			case m.Line <= prevLine || m.Line > lines:
				t.Fatalf("message %d on line %d after line %d of %d", i, m.Line, prevLine, lines)
			case m.At.Before(prevAt):
				t.Fatalf("message %d at %v goes back before %v", i, m.At, prevAt)
			case m.At.Sub(day) >= time.Duration(len(msgs)+1)*24*time.Hour:
				t.Fatalf("message %d at %v: more days on than messages", i, m.At)
			case strings.ContainsAny(m.Author, "\n\r"), !utf8.ValidString(m.Author), !utf8.ValidString(m.Text):
				t.Fatalf("message %d: author %q, text %q", i, m.Author, m.Text)
			case m.Author == "" && !hasProblemAt(problems, m.Line):
				t.Fatalf("message %d on line %d names no author and no problem says so", i, m.Line)
			}
			prevLine, prevAt = m.Line, m.At
		}
		for i, p := range problems {
			if p.Line < 1 || p.Line > lines || p.Msg == "" || (i > 0 && p.Line < problems[i-1].Line) {
				t.Fatalf("problem %d: %+v", i, p)
			}
		}
		if _, err := json.Marshal(msgs); err != nil {
			t.Fatalf("messages do not encode: %v", err)
		}
		again, againProblems, _ := Parse(bytes.NewReader(data), day, loc)
		if !reflect.DeepEqual(msgs, again) || !reflect.DeepEqual(problems, againProblems) {
			t.Fatal("parsing the same log twice differs")
		}
	})
}

func hasProblemAt(ps []Problem, line int) bool {
	for _, p := range ps {
		if p.Line == line {
			return true
		}
	}
	return false
}

func FuzzParseSlack(f *testing.F) {
	f.Add(seedFile(f, "testdata/slack-export.json"))
	f.Add([]byte(`{"messages":[{"ts":"1630746900.000200","user":"U1","text":"<@U2> see <https://x|graph>"}]}`))
	f.Add([]byte(`[{"ts":1630746900,"subtype":"bot_message","username":"bot","files":[{"title":"t"}]}]`))
	f.Add([]byte(`[{"ts":"9223372036854775807.5"}]`)) // would wrap around in time.Unix
	users := map[string]string{"U1": "svega", "U2": "hammer"}
	f.Fuzz(func(t *testing.T, data []byte) {
		msgs, err := ParseSlack(bytes.NewReader(data), users)
		if err != nil {
			if c := errs.CodeOf(err); (c != errs.Invalid && c != errs.TooLarge) || !strings.HasPrefix(errs.Message(err), "slack export") {
				t.Fatalf("error %q (%s): want invalid or too large, saying it is the slack export", err, c)
			}
			return
		}
		for i, m := range msgs {
			if i > 0 && m.At.Before(msgs[i-1].At) {
				t.Fatalf("message %d at %v before message %d at %v", i, m.At, i-1, msgs[i-1].At)
			}
			if m.At.Location() != time.UTC || m.Line != 0 || !utf8.ValidString(m.Text) {
				t.Fatalf("message %d: %+v", i, m)
			}
		}
		if _, err := json.Marshal(msgs); err != nil {
			t.Fatalf("messages do not encode: %v", err)
		}
		again, _ := ParseSlack(bytes.NewReader(data), users)
		if !reflect.DeepEqual(msgs, again) {
			t.Fatal("parsing the same export twice differs")
		}
	})
}
