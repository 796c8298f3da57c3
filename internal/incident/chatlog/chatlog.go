// Package chatlog reads an incident's chat into messages for its timeline:
// the plain "HH:MM text FROM: name" log that responders keep by hand, and a
// Slack channel export. It owns only the reading; storing the messages as
// timeline entries is the incident package's job.
package chatlog

import (
	"fmt"
	"io"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

// Limits on one input. A chat log of an incident is a few hundred lines; the
// caps keep a wrong file (a whole log archive) from being read into memory.
const (
	MaxLines = 50_000   // lines of a plain chat log, messages of a Slack export
	MaxBytes = 16 << 20 // bytes of either
)

// Message is one chat message.
type Message struct {
	At       time.Time `json:"at"`
	Author   string    `json:"author"` // as written (svega, YOU, hammer); empty when the line named nobody
	Text     string    `json:"text"`
	Mentions []string  `json:"mentions,omitempty"` // from !name or <@U..>
	Line     int       `json:"line,omitempty"`     // 1-based source line, for the chat format
}

// Problem is a line that could not be read whole.
type Problem struct {
	Line int    `json:"line"`
	Msg  string `json:"message"`
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Msg) }

// readAll reads r up to MaxBytes and refuses anything larger.
func readAll(r io.Reader, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", what, err)
	}
	if len(data) > MaxBytes {
		return nil, errs.E(errs.TooLarge, "%s is larger than %d MiB", what, MaxBytes>>20)
	}
	return data, nil
}
