package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/override"
	"github.com/vigil-sre/vigil/internal/store"
)

// overrideView is a run-time override as the API shows it.
type overrideView struct {
	ID        int64     `json:"id"`
	Schedule  string    `json:"schedule"`
	Person    string    `json:"person"`
	Replacing string    `json:"replacing,omitempty"` // absent when the person alone is on call
	From      time.Time `json:"from"`
	Until     time.Time `json:"until"`
	Note      string    `json:"note,omitempty"`
	SwapID    int64     `json:"swap_id,omitempty"` // both halves of a swap carry the first one's id
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	State     string    `json:"state"`             // planned, active, over
	Outcome   string    `json:"outcome,omitempty"` // after DELETE: removed, ended or over
}

func newOverrideView(o store.OverrideRow, now time.Time) overrideView {
	return overrideView{ID: o.ID, Schedule: o.Schedule, Person: o.Person, Replacing: o.Replacing, From: o.StartsAt, Until: o.EndsAt,
		Note: o.Note, SwapID: o.SwapID, CreatedBy: o.CreatedBy, CreatedAt: o.CreatedAt, State: override.State(o, now)}
}

type overridesAnswer struct {
	Overrides []overrideView `json:"overrides"`
}

// listOverrides answers GET /api/v1/schedules/{id}/overrides?from=&to=&all=&limit=:
// the run-time overrides overlapping [from, to), by start. By default those
// not over yet; all=true lists past ones too. limit default 100, at most 1,000.
func (s *Server) listOverrides(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	now := s.now()
	from, to := now, time.Time{}
	if q.Get("all") == "true" {
		from = time.Time{}
	}
	var problems []string
	for field, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		t, err := s.ahead().Parse(field, q.Get(field))
		switch {
		case err != nil:
			problems = append(problems, errs.Message(err))
		case t != nil:
			*dst = *t
		}
	}
	limit, err := limitParam(r, 100, 1000)
	if err != nil {
		problems = append(problems, errs.Message(err))
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		s.writeError(w, r, errs.E(errs.Invalid, "%s", strings.Join(problems, "; ")))
		return
	}
	rows, err := s.d.Overrides.List(r.Context(), r.PathValue("id"), from, to, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := overridesAnswer{Overrides: make([]overrideView, 0, len(rows))}
	for _, o := range rows {
		out.Overrides = append(out.Overrides, newOverrideView(o, now))
	}
	writeJSON(w, http.StatusOK, out)
}

// overrideRequest is the body of POST /api/v1/schedules/{id}/overrides.
// Times are read as strings, so a bad one is reported with its field.
type overrideRequest struct {
	Person    string `json:"person"`
	Replacing string `json:"replacing"`
	From      string `json:"from"` // default now
	Until     string `json:"until"`
	Note      string `json:"note"`
}

// maxOverrideBody caps the body of an override or swap request.
const maxOverrideBody = 16 << 10

// createOverride answers POST /api/v1/schedules/{id}/overrides (respond:
// oneself; operate: anyone) with 201 and the override.
func (s *Server) createOverride(w http.ResponseWriter, r *http.Request) {
	p, err := s.allow(r, auth.Respond)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req overrideRequest
	if err := decodeBody(w, r, maxOverrideBody, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.now()
	times, err := s.apiTimes(now, "from", req.From, "until", req.Until)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	o, err := s.d.Overrides.Add(r.Context(), p, override.Request{Schedule: r.PathValue("id"), Person: req.Person,
		Replacing: req.Replacing, From: times[0], Until: times[1], Note: req.Note})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, newOverrideView(o, now))
}

// swapRequest is the body of POST /api/v1/schedules/{id}/swaps: person
// takes with's shift from from until until; with takes person's from
// back_from until back_until.
type swapRequest struct {
	Person    string `json:"person"`
	With      string `json:"with"`
	From      string `json:"from"`
	Until     string `json:"until"`
	BackFrom  string `json:"back_from"`
	BackUntil string `json:"back_until"`
	Note      string `json:"note"`
}

// createSwap answers POST /api/v1/schedules/{id}/swaps (respond: one's own
// shifts; operate: anyone's) with 201 and the two overrides.
func (s *Server) createSwap(w http.ResponseWriter, r *http.Request) {
	p, err := s.allow(r, auth.Respond)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req swapRequest
	if err := decodeBody(w, r, maxOverrideBody, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.now()
	times, err := s.apiTimes(now, "from", req.From, "until", req.Until, "back_from", req.BackFrom, "back_until", req.BackUntil)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.d.Overrides.Swap(r.Context(), p, override.SwapRequest{Schedule: r.PathValue("id"), Person: req.Person, With: req.With,
		From: times[0], Until: times[1], BackFrom: times[2], BackUntil: times[3], Note: req.Note})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := overridesAnswer{Overrides: []overrideView{}}
	for _, o := range rows {
		out.Overrides = append(out.Overrides, newOverrideView(o, now))
	}
	writeJSON(w, http.StatusCreated, out)
}

// deleteOverride answers DELETE /api/v1/schedules/{id}/overrides/{oid}
// (respond: overrides that involve you or that you made; operate: any): one
// to come is removed, one under way ends now, and both halves of a swap go.
func (s *Server) deleteOverride(w http.ResponseWriter, r *http.Request) {
	p, err := s.allow(r, auth.Respond)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	id, err := strconv.ParseInt(r.PathValue("oid"), 10, 64)
	if err != nil || id <= 0 {
		s.writeError(w, r, errs.E(errs.NotFound, "no override %q", r.PathValue("oid")))
		return
	}
	removed, err := s.d.Overrides.Remove(r.Context(), p, r.PathValue("id"), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.now()
	out := overridesAnswer{Overrides: []overrideView{}}
	for _, o := range removed {
		v := newOverrideView(o.OverrideRow, now)
		v.Outcome = o.Outcome
		out.Overrides = append(out.Overrides, v)
	}
	writeJSON(w, http.StatusOK, out)
}

// apiTimes parses pairs of field name and RFC 3339 value, each within a
// year from now; an empty first value ("from") is now, other empty values
// are left zero for the service to name. Every bad one is reported at once.
func (s *Server) apiTimes(now time.Time, pairs ...string) ([]time.Time, error) {
	out := make([]time.Time, len(pairs)/2)
	var problems []string
	for i := 0; i+1 < len(pairs); i += 2 {
		t, err := s.ahead().Parse(pairs[i], pairs[i+1])
		switch {
		case err != nil:
			problems = append(problems, errs.Message(err))
		case t != nil:
			out[i/2] = *t
		case i == 0:
			out[0] = now
		}
	}
	if len(problems) > 0 {
		return nil, errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	return out, nil
}
