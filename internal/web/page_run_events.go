package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"
)

// runPageEvents streams GET /runs/{id}/events: the run page's live step
// log, as server-sent events carrying HTML rendered here with the page's
// own templates, for the viewer (their zone, their buttons). A "part" is
// the run's head (status, approval box) or its audit trail, replacing the
// element of the same id; a "step" is one step's row, replacing its row or
// added after the others; "end" says the run is over and the script stops. It
// starts with the whole run, so a page misses nothing that happened while
// it loaded, and a reconnect resynchronises; only what changed is sent
// after that.
func (s *Server) runPageEvents(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	events, cancel := s.d.Runbooks.Subscribe(id)
	defer cancel()
	p, err := s.runPageData(r, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	release, err := s.takeStream(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer release()
	stream := startSSE(w)
	sent := map[string]string{} // element id → the HTML last sent for it
	send := func(p runPage) bool {
		var buf bytes.Buffer
		for _, part := range []string{"run-head", "run-audit"} {
			buf.Reset()
			if err := s.pages.ExecuteTemplate(&buf, part, p); err != nil {
				s.d.Log.Error("rendering a run's page failed", "run", id, "part", part, "err", err)
				return false
			}
			if !s.sendPart(r, stream, sent, "part", part, buf.String()) {
				return false
			}
		}
		for _, st := range p.Steps {
			buf.Reset()
			if err := s.pages.ExecuteTemplate(&buf, "run-step", st); err != nil {
				s.d.Log.Error("rendering a run's step failed", "run", id, "err", err)
				return false
			}
			if !s.sendPart(r, stream, sent, "step", st.ID(), buf.String()) {
				return false
			}
		}
		return true
	}
	if !send(p) {
		return
	}
	keepalive := time.NewTicker(sseKeepalive)
	defer keepalive.Stop()
	for {
		select {
		case _, ok := <-events:
			// Any change is read back whole: the store has it by now, and
			// the page's head depends on more than the event says.
			if p, err = s.runPageData(r, id); err != nil {
				return
			}
			if !send(p) {
				return
			}
			if !ok {
				_ = stream.sendText("end", p.Run.Status)
				return
			}
		case <-keepalive.C:
			if stream.keepalive() != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.streams: // shutting down
			return
		}
	}
}

// sendPart sends a rendered part of the page unless the page has it as is.
func (s *Server) sendPart(r *http.Request, stream *sseStream, sent map[string]string, event, key, html string) bool {
	if sent[key] == html {
		return true
	}
	sent[key] = html
	if err := stream.sendText(event, html); err != nil {
		if r.Context().Err() == nil {
			s.d.Log.Error("sending a run's page event failed", "event", event, "err", err)
		}
		return false
	}
	return true
}

// ID is the element id of a step's row on the run's page.
func (s stepRow) ID() string { return "step-" + strconv.Itoa(s.Seq) }
