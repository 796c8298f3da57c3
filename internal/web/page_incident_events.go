package web

import (
	"bytes"
	"net/http"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

// incidentEvents streams GET /incidents/{id}/events?after=ID&since=MS as
// server-sent events: the incident page's live timeline. An "entry" event
// carries a timeline row rendered here (the page's script inserts it by
// time), an "incident" event the status and severity as JSON. The page
// says what it shows: its own entries up to id after, and what Vigil
// gathered from elsewhere up to since (Unix milliseconds, when it was
// rendered). The incident service signals each change; every keepalive
// the timeline is read again too, for what changed elsewhere (an alert
// acknowledged, a check failing) or in another process.
func (s *Server) incidentEvents(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var after, since int64
	for name, dst := range map[string]*int64{"after": &after, "since": &since} {
		if v := r.URL.Query().Get(name); v != "" {
			if *dst, err = strconv.ParseInt(v, 10, 64); err != nil || *dst < 0 {
				s.pageError(w, r, errs.E(errs.Invalid, "%s: %q is not a number", name, shortValue(v)))
				return
			}
		}
	}
	changed, cancel := s.d.Incidents.Watch(id)
	defer cancel()
	if _, err := s.d.Incidents.Get(r.Context(), id); err != nil {
		s.pageError(w, r, err)
		return
	}
	release, err := s.takeStream(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer release()
	p := s.page(r, "", "incidents") // times in the viewer's zone
	live := liveTimeline{sent: map[string]bool{}, after: after, since: since}
	stream := startSSE(w)
	update := func() bool {
		err := s.sendTimeline(r, p, id, &live, stream)
		if err != nil && r.Context().Err() == nil {
			s.d.Log.Error("sending an incident's timeline failed", "incident", id, "err", err)
		}
		return err == nil
	}
	if !update() {
		return
	}
	keepalive := time.NewTicker(sseKeepalive)
	defer keepalive.Stop()
	for {
		select {
		case <-changed:
			if !update() {
				return
			}
		case <-keepalive.C:
			if !update() || stream.keepalive() != nil {
				return
			}
		case <-r.Context().Done():
			return
		case <-s.streams:
			return
		}
	}
}

// liveTimeline is what one page was sent.
type liveTimeline struct {
	sent         map[string]bool
	after, since int64 // what the page showed when it opened the stream
	status, sev  string
}

// sendTimeline sends the rows of the incident's timeline the page does not
// have yet, and its status and severity when they changed.
func (s *Server) sendTimeline(r *http.Request, p Page, id int64, live *liveTimeline, stream *sseStream) error {
	in, err := s.d.Incidents.Get(r.Context(), id)
	if err != nil {
		return err
	}
	tl, err := s.d.Incidents.Timeline(r.Context(), id)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, row := range p.timelineRows(tl) {
		if live.sent[row.Key] {
			continue
		}
		live.sent[row.Key] = true
		if (row.ID != 0 && row.ID <= live.after) || (row.ID == 0 && row.AtMS <= live.since) {
			continue // on the page already
		}
		buf.Reset()
		if err := s.pages.ExecuteTemplate(&buf, "timeline-row", row); err != nil {
			return err
		}
		if err := stream.sendText("entry", buf.String()); err != nil {
			return err
		}
	}
	if in.Status != live.status || in.Severity != live.sev {
		live.status, live.sev = in.Status, in.Severity
		return stream.send("incident", map[string]string{"status": in.Status, "severity": in.Severity})
	}
	return nil
}
