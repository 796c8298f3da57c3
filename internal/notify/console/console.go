// Package console writes notifications as readable text to a terminal or a
// file: the channel the demo pages through, and a way to try routes and
// escalations without waking anyone.
package console

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/render"
)

// runbookDoc is how much of a runbook's SOP a page shows: its first steps,
// enough to start on before opening anything.
const runbookDoc = 500

// Sender writes each message as one block of text. It is safe for
// concurrent use: blocks never interleave.
type Sender struct {
	mu    sync.Mutex
	w     io.Writer
	links bool
}

var _ notify.Sender = (*Sender)(nil)

// Option configures a Sender.
type Option func(*Sender)

// WithActionLinks includes each alert's signed acknowledge and resolve URLs.
// They work without logging in, so they are left out by default: console
// output tends to end up in logs that more people can read than should ack.
func WithActionLinks() Option { return func(s *Sender) { s.links = true } }

// New returns a Sender writing to w.
func New(w io.Writer, opts ...Option) *Sender {
	s := &Sender{w: w}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

// Send writes m, headed by its kind, destination and time. A failed write
// is a permanent error: retrying a broken terminal will not help.
func (s *Sender) Send(ctx context.Context, d notify.Destination, m notify.Message) error {
	if d.Type != "" && d.Type != notify.Console {
		return fmt.Errorf("console: destination %s is of type %q", d.Name, d.Type)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "── %s → %s · %s ──\n", strings.ToUpper(string(m.Kind)), d.Name, m.At.Format(time.RFC3339))
	body := render.Plain(m, render.PlainOptions{ActionLinks: s.links, MaxAlerts: 20, RunbookDoc: runbookDoc})
	for _, line := range strings.Split(strings.TrimRight(body, "\n"), "\n") {
		if line == "" {
			b.WriteString("│\n")
			continue
		}
		b.WriteString("│ " + line + "\n")
	}
	b.WriteString("\n")

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.WriteString(s.w, b.String()); err != nil {
		return fmt.Errorf("console: write for %s: %w", d.Name, err)
	}
	return nil
}
