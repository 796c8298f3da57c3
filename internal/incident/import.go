package incident

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident/chatlog"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/timebound"
)

// Import is a chat to add to an incident's timeline.
type Import struct {
	Format string            // "log" (the plain chat format) or "slack" (a channel export)
	Day    time.Time         // for "log": the date the first time refers to
	Loc    *time.Location    // for "log"
	Users  map[string]string // for "slack": user id → name
	By     string
}

// ImportResult says what an import added.
type ImportResult struct {
	Added    int               `json:"added"`
	Skipped  int               `json:"skipped"` // already imported
	Problems []chatlog.Problem `json:"problems,omitempty"`
}

// ImportChat adds a chat's messages to the timeline, each at its own time
// with its author. Importing the same chat again adds nothing twice.
func (s *Service) ImportChat(ctx context.Context, id int64, r io.Reader, im Import) (ImportResult, error) {
	if _, err := s.Get(ctx, id); err != nil {
		return ImportResult{}, err
	}
	var (
		msgs     []chatlog.Message
		problems []chatlog.Problem
		err      error
		source   = "chat:" + im.Format + ":"
	)
	switch im.Format {
	case "log", "":
		source = "chat:log:"
		loc := im.Loc
		if loc == nil {
			loc = time.UTC
		}
		if im.Day.IsZero() {
			return ImportResult{}, errs.E(errs.Invalid, "date: is required for a chat log (the day its times refer to, e.g. 2021-09-04)")
		}
		msgs, problems, err = chatlog.Parse(r, im.Day, loc)
	case "slack":
		msgs, err = chatlog.ParseSlack(r, im.Users)
	default:
		return ImportResult{}, errs.E(errs.Invalid, "format: %q is not one of log, slack", im.Format)
	}
	if err != nil {
		return ImportResult{}, err // chatlog's errors carry their code and say where
	}
	if err := inWindow(msgs, timebound.Past(s.d.Clock.Now())); err != nil {
		return ImportResult{}, err
	}
	existing, err := s.d.Store.IncidentTimeline(ctx, id)
	if err != nil {
		return ImportResult{}, errs.Wrap(errs.Internal, err, "reading the timeline")
	}
	seen := map[string]bool{}
	for _, e := range existing {
		seen[e.Source] = true
	}
	res := ImportResult{Problems: problems}
	var entries []store.TimelineEntry
	occurrence := map[string]int{}
	for _, m := range msgs {
		// The same author may say the same thing twice in one minute; the
		// n-th such message has a key of its own.
		sum := sha256.Sum256([]byte(m.Author + "\x00" + m.Text))
		base := source + m.At.UTC().Format(time.RFC3339Nano) + ":" + hex.EncodeToString(sum[:8])
		occurrence[base]++
		key := base + ":" + strconv.Itoa(occurrence[base])
		if seen[key] {
			res.Skipped++
			continue
		}
		seen[key] = true
		entries = append(entries, store.TimelineEntry{IncidentID: id, At: m.At, Kind: "chat", Actor: m.Author, Text: m.Text, Source: key})
	}
	if len(entries) > 0 {
		if err := s.d.Store.AppendTimeline(ctx, entries); err != nil {
			return res, errs.Wrap(errs.Internal, err, "storing the chat")
		}
		s.changed(id)
	}
	res.Added = len(entries)
	return res, nil
}

// inWindow refuses a chat with a message outside w, naming the first few:
// a wrong --date would otherwise put the whole chat years away.
func inWindow(msgs []chatlog.Message, w timebound.Window) error {
	var bad []string
	for i, m := range msgs {
		p := w.Problem(m.At)
		switch {
		case p == "":
			continue
		case len(bad) == 5:
			bad = append(bad, "…")
		case len(bad) > 5:
		case m.Line > 0:
			bad = append(bad, fmt.Sprintf("line %d: %s", m.Line, p))
		default:
			bad = append(bad, fmt.Sprintf("message %d: %s", i+1, p))
		}
	}
	if len(bad) > 0 {
		return errs.E(errs.Invalid, "the chat's times are out of range (check date and tz): %s", strings.Join(bad, "; "))
	}
	return nil
}
