package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// sseStream writes server-sent events to one client, for live pages (an
// incident's timeline, a run's steps): the page's script, or the browser's
// EventSource, reads them. Start one with startSSE, then send events and,
// while idle, keepalives every sseKeepalive so proxies keep the connection.
type sseStream struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

// sseKeepalive is how often an idle stream says it is still there.
const sseKeepalive = 15 * time.Second

// startSSE answers r with an event stream.
func startSSE(w http.ResponseWriter) *sseStream {
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	rc := http.NewResponseController(w)
	// A stream lasts as long as what it follows: the server's read and
	// write deadlines, meant for ordinary requests, do not apply to it.
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	w.WriteHeader(http.StatusOK)
	return &sseStream{w: w, rc: rc}
}

// send writes one event with v as its JSON data, and flushes it.
func (e *sseStream) send(event string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return e.sendText(event, string(b))
}

// sendText writes one event whose data is text (HTML rendered on the
// server, say); each line becomes a data: line, as the format requires.
func (e *sseStream) sendText(event, text string) error {
	var b strings.Builder
	if event != "" {
		fmt.Fprintf(&b, "event: %s\n", strings.NewReplacer("\r", "", "\n", "").Replace(event))
	}
	// A lone CR ends a line too, for the client: every line break becomes
	// a data: line, so no text can end the event early or start another.
	for _, line := range strings.Split(strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(text), "\n") {
		fmt.Fprintf(&b, "data: %s\n", line)
	}
	b.WriteString("\n")
	if _, err := e.w.Write([]byte(b.String())); err != nil {
		return err
	}
	return e.rc.Flush()
}

// keepalive writes a comment line, which clients ignore.
func (e *sseStream) keepalive() error {
	if _, err := e.w.Write([]byte(": keepalive\n\n")); err != nil {
		return err
	}
	return e.rc.Flush()
}
