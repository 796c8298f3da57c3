package chatlog

import (
	"bytes"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

func TestParseSlackExport(t *testing.T) {
	data, err := os.ReadFile("testdata/slack-export.json")
	if err != nil {
		t.Fatal(err)
	}
	at := func(hh, mm, micro int) time.Time { return time.Date(2021, 9, 4, hh, mm, 0, micro*1000, time.UTC) }
	want := []Message{
		{
			At: at(9, 15, 200), Author: "svega",
			Text: "Hey we have reports of an application outage & we can not reach the app either.",
		},
		{
			// No display name: the real name. svega is named by the profile on
			// her own message, gtree by the users map.
			At: at(9, 20, 300), Author: "Sam Rivera",
			Text:     "@svega @gtree @here we have an application outage, dashboard: App overview (https://grafana.example.com/d/app?orgId=1&from=now-1h)",
			Mentions: []string{"svega", "gtree"},
		},
		{
			// A thread reply, from a user known only to the users map.
			At: at(10, 5, 400), Author: "gtree",
			Text: "This looks like a qa build, see https://ci.example.com/builds/812",
		},
		{
			// No profile on this message: the one on svega's first message.
			At: at(10, 10, 500), Author: "svega",
			Text: "error log from the app server\n[file] order_processing.log (https://vigil.slack.com/files/U01SVEGA/F0LOG/order_processing.log)",
		},
		{
			// Listed before the reply in the file; messages come out by time.
			At: at(10, 20, 600), Author: "deploybot",
			Text: "Rollback of app to v1.4.2 finished\n[attachment] Deploy #813 of app v1.4.2 to prod: succeeded (https://ci.example.com/builds/813)",
		},
		{
			At: at(10, 30, 700), Author: "Sam Rivera",
			Text:     "Everything is responding now, @U09GONE can close it. Ping oncall@example.com with questions",
			Mentions: []string{"U09GONE"},
		},
	}
	users := map[string]string{"U03GTREE": "gtree"}

	for _, form := range []struct {
		name string
		data []byte
	}{
		{"array", data},
		{"object", append(append([]byte(`{"channel": "inc-app-outage", "messages": `), data...), '}')},
	} {
		t.Run(form.name, func(t *testing.T) {
			got, err := ParseSlack(bytes.NewReader(form.data), users)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("got %d messages, want %d (channel_join and channel_topic skipped):\n%s",
					len(got), len(want), strings.Join(showAll(got), "\n"))
			}
			for i := range want {
				g, w := got[i], want[i]
				if !g.At.Equal(w.At) || g.At.Location() != time.UTC || g.Author != w.Author || g.Text != w.Text ||
					!slices.Equal(g.Mentions, w.Mentions) || g.Line != 0 {
					t.Errorf("message %d:\n got  %s\n want %s", i, show(g), show(w))
				}
			}
		})
	}

	t.Run("no users map", func(t *testing.T) {
		got, err := ParseSlack(bytes.NewReader(data), nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || got[2].Author != "U03GTREE" || !slices.Equal(got[1].Mentions, []string{"svega", "U03GTREE"}) {
			t.Errorf("without users, want ids for gtree; got:\n%s", strings.Join(showAll(got), "\n"))
		}
	})
}

func TestParseSlackAuthor(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"display name first", `{"user":"U1","user_profile":{"display_name":"sv","real_name":"Sofia Vega","name":"sofia"}}`, "sv"},
		{"then real name", `{"user":"U1","user_profile":{"display_name":" ","real_name":"Sofia Vega","name":"sofia"}}`, "Sofia Vega"},
		{"then name", `{"user":"U1","user_profile":{"name":"sofia"}}`, "sofia"},
		{"then the users map", `{"user":"U1"}`, "mapped"},
		{"then the user id", `{"user":"U2"}`, "U2"},
		{"a bot by its username", `{"subtype":"bot_message","username":"deploybot","bot_id":"B1"}`, "deploybot"},
		{"a bot by its profile", `{"subtype":"bot_message","bot_id":"B1","bot_profile":{"name":"alertbot"}}`, "alertbot"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := `[` + strings.Replace(tt.in, "{", `{"type":"message","ts":"1630746900.000200","text":"hi",`, 1) + `]`
			got, err := ParseSlack(strings.NewReader(in), map[string]string{"U1": "mapped"})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Author != tt.want {
				t.Errorf("got %q, want author %q", showAll(got), tt.want)
			}
		})
	}
}

func TestSlackText(t *testing.T) {
	names := map[string]string{"U1": "svega"}
	name := func(id string) string { return names[id] }
	tests := []struct {
		in, want string
		mentions []string
	}{
		{"<@U1> and <@U1>", "@svega and @svega", []string{"svega"}},
		{"<@U7|old-name> left", "@old-name left", []string{"old-name"}},
		{"<@U8> left", "@U8 left", []string{"U8"}},
		{"<!channel> <!here|here> <!subteam^S1|@sre-team>", "@channel here @sre-team", nil},
		{"see <#C1|incidents> or <#C2>", "see #incidents or #C2", nil},
		{"<https://x.example/a|the runbook>", "the runbook (https://x.example/a)", nil},
		{"<https://x.example/a>", "https://x.example/a", nil},
		{"<https://x.example/a|https://x.example/a>", "https://x.example/a", nil},
		{"<mailto:a@example.com|a@example.com>", "a@example.com", nil},
		{"5 &lt; 6 &amp;&amp; 7 &gt; 6", "5 < 6 && 7 > 6", nil},
		{"&lt;@U1&gt; is literal text", "<@U1> is literal text", nil},
	}
	for _, tt := range tests {
		got, mentions := slackText(tt.in, name)
		if got != tt.want || !slices.Equal(mentions, tt.mentions) {
			t.Errorf("slackText(%q) = %q %q, want %q %q", tt.in, got, mentions, tt.want, tt.mentions)
		}
	}
}

func TestParseSlackErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		code errs.Code
		msg  string
	}{
		{"empty", " \n", errs.Invalid, "slack export is empty; want a JSON array of messages"},
		{"syntax", "[\n  {\"ts\": \"1630746900.000200\",}\n]", errs.Invalid,
			"slack export: line 2, column 30: invalid character '}' looking for beginning of object key string"},
		{"not an array", `"hello"`, errs.Invalid, `slack export: want a JSON array of messages or an object with "messages", got a string`},
		{"object without messages", `{"items": []}`, errs.Invalid, `slack export: the JSON object has no "messages" array`},
		{"messages not an array", `{"messages": {}}`, errs.Invalid, `slack export: "messages" must be an array`},
		{"message not an object", `[{"ts": "1630746900"}, 5]`, errs.Invalid, "slack export: messages[1]: want an object, got number"},
		{"field of the wrong type", `[{"ts": "1630746900", "user_profile": "svega"}]`, errs.Invalid,
			"slack export: messages[0].user_profile: want an object, got string"},
		{"nested field of the wrong type", `[{"ts": "1630746900", "user_profile": {"display_name": 7}}]`, errs.Invalid,
			"slack export: messages[0].user_profile.display_name: want a string, got number"},
		{"no ts", `[{"ts": "1630746900"}, {"type": "message", "text": "hi"}]`, errs.Invalid,
			"slack export: messages[1].ts: missing; every message needs its timestamp"},
		{"bad ts", `[{"ts": "yesterday"}]`, errs.Invalid,
			`slack export: messages[0].ts: "yesterday" is not a Slack timestamp (unix seconds, such as "1630746900.000200")`},
		{"negative ts", `[{"ts": "-1630746900.000200"}]`, errs.Invalid,
			`slack export: messages[0].ts: "-1630746900.000200" is not a Slack timestamp (unix seconds, such as "1630746900.000200")`},
		{"too many messages", "[" + strings.Repeat(`{"ts":"1"},`, MaxLines) + `{"ts":"1"}]`, errs.TooLarge,
			"slack export has 50001 messages, more than the limit of 50000"},
		{"too many bytes", `["` + strings.Repeat("x", MaxBytes) + `"]`, errs.TooLarge, "slack export is larger than 16 MiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs, err := ParseSlack(strings.NewReader(tt.in), nil)
			if err == nil {
				t.Fatalf("no error; got %q", showAll(msgs))
			}
			if errs.CodeOf(err) != tt.code || err.Error() != tt.msg {
				t.Errorf("error = %s %q\n want  %s %q", errs.CodeOf(err), err, tt.code, tt.msg)
			}
		})
	}

	t.Run("ts as a number", func(t *testing.T) {
		msgs, err := ParseSlack(strings.NewReader(`[{"ts": 1630746900.5, "text": "hi"}]`), nil)
		if err != nil || len(msgs) != 1 || !msgs[0].At.Equal(time.Unix(1630746900, 5e8)) {
			t.Errorf("got %q, %v; want one message at 09:15:00.5", showAll(msgs), err)
		}
	})
}
