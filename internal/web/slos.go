package web

import (
	"net/http"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/slo"
	"github.com/vigil-sre/vigil/internal/timebound"
)

// listSLOs answers GET /api/v1/slos: every SLO's latest evaluation, in
// config order; ?service= keeps one service's.
func (s *Server) listSLOs(w http.ResponseWriter, r *http.Request) {
	svc := r.URL.Query().Get("service")
	if svc == "" {
		b, err := s.d.SLOs.StatusesJSON(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeBody(w, http.StatusOK, b)
		return
	}
	sts := s.d.SLOs.Statuses(r.Context())
	out := make([]slo.Status, 0, len(sts))
	for _, st := range sts {
		if svc == "" || st.Service == svc {
			out = append(out, st)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// getSLO answers GET /api/v1/slos/{service}/{id}: the latest evaluation
// with the burn history over the window.
func (s *Server) getSLO(w http.ResponseWriter, r *http.Request) {
	d, err := s.d.SLOs.Detail(r.Context(), r.PathValue("service"), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

type sloEventsBody struct {
	Good  *int64 `json:"good"`
	Total *int64 `json:"total"`
	At    string `json:"at,omitempty"`
}

// sloEvents answers POST /api/v1/slos/{service}/{id}/events: good and total
// counts for an events SLO, stored before the answer.
func (s *Server) sloEvents(w http.ResponseWriter, r *http.Request) {
	var b sloEventsBody
	if err := decodeBody(w, r, 4<<10, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.Good == nil || b.Total == nil {
		s.writeError(w, r, errs.E(errs.Invalid, "good and total are required"))
		return
	}
	at, err := timebound.Past(s.now()).Parse("at", b.At)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var when time.Time
	if at != nil {
		when = *at
	}
	if err := s.d.SLOs.Push(r.Context(), r.PathValue("service"), r.PathValue("id"), *b.Good, *b.Total, when); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, map[string]any{"stored": true, "good": *b.Good, "total": *b.Total})
}
