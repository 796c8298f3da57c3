package chatlog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

// slackMessage is the part of a message in a Slack export that a timeline
// needs. Fields Slack adds over time are ignored.
type slackMessage struct {
	Type        string          `json:"type"`
	Subtype     string          `json:"subtype"`
	User        string          `json:"user"`
	Username    string          `json:"username"` // bots post under a name, not a user
	UserProfile *slackPerson    `json:"user_profile"`
	BotProfile  *slackPerson    `json:"bot_profile"`
	Text        string          `json:"text"`
	TS          json.RawMessage `json:"ts"`
	Files       []slackFile     `json:"files"`
	Attachments []slackFile     `json:"attachments"`
}

type slackPerson struct {
	DisplayName string `json:"display_name"`
	RealName    string `json:"real_name"`
	Name        string `json:"name"`
}

func (p *slackPerson) best() string {
	if p == nil {
		return ""
	}
	for _, s := range []string{p.DisplayName, p.RealName, p.Name} {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}

// slackFile is a file or an attachment; both say what they are in a line.
type slackFile struct {
	Title     string `json:"title"`
	Name      string `json:"name"`
	Permalink string `json:"permalink"`
	URL       string `json:"url_private"`
	TitleLink string `json:"title_link"`
	Fallback  string `json:"fallback"`
	Text      string `json:"text"`
}

// keptSubtypes are the subtypes that carry something a person said. The rest
// (channel_join, channel_topic, pinned_item, tombstone, ...) are the channel
// talking about itself.
var keptSubtypes = map[string]bool{
	"": true, "bot_message": true, "me_message": true, "thread_broadcast": true, "file_share": true,
}

// ParseSlack reads a Slack channel export (a JSON array; also accept a JSON object {"messages": [...]}).
//
// The author is the message's user_profile display_name, else its real_name,
// else its name, else users[user], else the name some other message of the
// same user carries, else the user id; a bot's is its username. users maps
// Slack user ids to names and may be nil. In the text, <@U123> becomes @name,
// <https://x|label> becomes "label (https://x)", and each file or attachment
// adds a line. Messages are sorted by time, in UTC; Line is not set.
//
// Errors are errs.Invalid naming the JSON position or the field
// (messages[3].ts), or errs.TooLarge past MaxBytes or MaxLines messages.
func ParseSlack(r io.Reader, users map[string]string) ([]Message, error) {
	data, err := readAll(r, "slack export")
	if err != nil {
		return nil, err
	}
	raw, err := slackArray(data)
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxLines {
		return nil, errs.E(errs.TooLarge, "slack export has %d messages, more than the limit of %d", len(raw), MaxLines)
	}

	in := make([]slackMessage, len(raw))
	for i, b := range raw {
		if err := json.Unmarshal(b, &in[i]); err != nil {
			return nil, fieldError(i, err)
		}
	}
	// Exports repeat the profile on every message of a user, so a message
	// without one can borrow it, and so can a mention of that user.
	known := map[string]string{}
	for _, m := range in {
		if name := m.UserProfile.best(); name != "" && m.User != "" {
			if _, ok := known[m.User]; !ok {
				known[m.User] = name
			}
		}
	}
	name := func(id string) string {
		if n := strings.TrimSpace(users[id]); n != "" {
			return n
		}
		return known[id]
	}

	out := make([]Message, 0, len(in))
	for i, m := range in {
		if (m.Type != "" && m.Type != "message") || !keptSubtypes[m.Subtype] {
			continue
		}
		at, err := slackTime(m.TS)
		if err != nil {
			return nil, errs.E(errs.Invalid, "slack export: messages[%d].ts: %v", i, err)
		}
		text, mentioned := slackText(m.Text, name)
		text = appendFiles(text, m.Files, "file")
		text = appendFiles(text, m.Attachments, "attachment")
		out = append(out, Message{At: at, Author: slackAuthor(m, name), Text: text, Mentions: mentioned})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// slackArray returns the messages of an export: the top-level array, or the
// "messages" array of a top-level object.
func slackArray(data []byte) ([]json.RawMessage, error) {
	data = bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\uFEFF")))
	if len(data) == 0 {
		return nil, errs.E(errs.Invalid, "slack export is empty; want a JSON array of messages")
	}
	if !json.Valid(data) {
		var v any
		err := json.Unmarshal(data, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := position(data, se.Offset)
			return nil, errs.E(errs.Invalid, "slack export: line %d, column %d: %v", line, col, se)
		}
		return nil, errs.Wrap(errs.Invalid, err, "slack export is not valid JSON")
	}
	switch data[0] {
	case '[':
		var raw []json.RawMessage
		if err := json.Unmarshal(data, &raw); err != nil {
			return nil, errs.Wrap(errs.Invalid, err, "slack export")
		}
		return raw, nil
	case '{':
		var obj struct {
			Messages *[]json.RawMessage `json:"messages"`
		}
		if err := json.Unmarshal(data, &obj); err != nil {
			return nil, errs.E(errs.Invalid, `slack export: "messages" must be an array`)
		}
		if obj.Messages == nil {
			return nil, errs.E(errs.Invalid, `slack export: the JSON object has no "messages" array`)
		}
		return *obj.Messages, nil
	}
	return nil, errs.E(errs.Invalid, `slack export: want a JSON array of messages or an object with "messages", got %s`, jsonKind(data[0]))
}

// fieldError names the field of message i that did not decode.
func fieldError(i int, err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		if te.Field == "" {
			return errs.E(errs.Invalid, "slack export: messages[%d]: want an object, got %s", i, te.Value)
		}
		return errs.E(errs.Invalid, "slack export: messages[%d].%s: want %s, got %s", i, te.Field, kindOf(te.Type.Kind().String()), te.Value)
	}
	return errs.E(errs.Invalid, "slack export: messages[%d]: %v", i, err)
}

func kindOf(k string) string {
	switch k {
	case "struct", "map", "ptr":
		return "an object"
	case "slice":
		return "an array"
	case "string":
		return "a string"
	}
	return k
}

func jsonKind(c byte) string {
	switch c {
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

// position turns a byte offset into a 1-based line and column.
func position(data []byte, off int64) (line, col int) {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	return line, col
}

// slackTime reads a ts such as "1630746900.000200": unix seconds and
// microseconds, which also make the message's id in Slack. Exports write it
// as a string; a bare number is taken too.
func slackTime(raw json.RawMessage) (time.Time, error) {
	s := string(bytes.TrimSpace(raw))
	if s == "" || s == "null" {
		return time.Time{}, errors.New("missing; every message needs its timestamp")
	}
	if strings.HasPrefix(s, `"`) {
		if err := json.Unmarshal(raw, &s); err != nil {
			return time.Time{}, err
		}
	}
	secs, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(secs, 10, 64)
	if err != nil || secs[0] == '-' || secs[0] == '+' || len(frac) > 9 || strings.Trim(frac, "0123456789") != "" {
		return time.Time{}, fmt.Errorf("%s is not a Slack timestamp (unix seconds, such as \"1630746900.000200\")", strconv.Quote(s))
	}
	nsec, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	// Compared in seconds: time.Unix would wrap around on a larger one.
	if sec > lastSecond {
		// Past what a timeline can write down, and no message's time.
		return time.Time{}, fmt.Errorf("%s is not a Slack timestamp: it is after the year 9999", strconv.Quote(clipText(s, 40)))
	}
	return time.Unix(sec, nsec).UTC(), nil
}

// lastSecond is 9999-12-31T23:59:59Z in unix seconds, the last time JSON
// (RFC 3339) can write.
const lastSecond = 253402300799

// clipText shortens a sender's value quoted in an error.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

func slackAuthor(m slackMessage, name func(string) string) string {
	if n := m.UserProfile.best(); n != "" {
		return n
	}
	if m.User != "" {
		if n := name(m.User); n != "" {
			return n
		}
	}
	if n := strings.TrimSpace(m.Username); n != "" {
		return n
	}
	if n := m.BotProfile.best(); n != "" {
		return n
	}
	return m.User
}

// appendFiles adds a line per file or attachment, so an uploaded graph or an
// alert bot's card is not lost from the timeline.
func appendFiles(text string, files []slackFile, kind string) string {
	for _, f := range files {
		label := firstNonEmpty(f.Title, f.Name, f.Fallback, f.Text)
		link := firstNonEmpty(f.Permalink, f.URL, f.TitleLink)
		label, _ = slackText(label, func(string) string { return "" })
		var line string
		switch {
		case label != "" && link != "":
			line = fmt.Sprintf("[%s] %s (%s)", kind, label, link)
		case label != "" || link != "":
			line = fmt.Sprintf("[%s] %s", kind, label+link)
		default:
			continue
		}
		if text != "" {
			text += "\n"
		}
		text += line
	}
	return text
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s = strings.TrimSpace(s); s != "" {
			return s
		}
	}
	return ""
}
