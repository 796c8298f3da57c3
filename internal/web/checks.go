package web

import (
	"net/http"
	"strconv"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/monitor"
)

// listChecks answers GET /api/v1/checks: every check with its live state.
// Optional filters: ?service=ID&state=failing.
func (s *Server) listChecks(w http.ResponseWriter, r *http.Request) {
	cfg := s.d.Config()
	snaps := s.d.Monitor.Snapshots()
	service, state := r.URL.Query().Get("service"), r.URL.Query().Get("state")
	out := []checkView{}
	for i := range cfg.Services {
		if service != "" && cfg.Services[i].ID != service {
			continue
		}
		for j := range cfg.Services[i].Checks {
			c := &cfg.Services[i].Checks[j]
			v := newCheckView(c, snaps[c.Key()])
			if state == "" || v.State == state {
				out = append(out, v)
			}
		}
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(out)))
	writeJSON(w, http.StatusOK, out)
}

// checkDetail is a check with its recent history.
type checkDetail struct {
	checkView
	Uptime  []monitor.Uptime `json:"uptime"`
	Results []resultView     `json:"results"`
	Events  []eventView      `json:"events"`
}

// getCheck answers GET /api/v1/checks/{service}/{check}.
func (s *Server) getCheck(w http.ResponseWriter, r *http.Request) {
	d, err := s.checkDetail(r, 20)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}

func (s *Server) checkDetail(r *http.Request, results int) (checkDetail, error) {
	c, err := s.findCheck(r)
	if err != nil {
		return checkDetail{}, err
	}
	ctx := r.Context()
	sn, _ := s.d.Monitor.Snapshot(c.Key())
	v := newCheckView(c, sn)
	d := checkDetail{checkView: v, Uptime: []monitor.Uptime{}, Results: []resultView{}, Events: []eventView{}}
	if v.id == 0 {
		return d, nil
	}
	ups, err := s.d.Monitor.Uptimes(ctx, []int64{v.id})
	if err != nil {
		return d, err
	}
	d.Uptime = ups[v.id]
	rows, err := s.d.Store.RecentResults(ctx, v.id, results)
	if err != nil {
		return d, err
	}
	for _, row := range rows {
		d.Results = append(d.Results, newResultView(row))
	}
	events, err := s.d.Store.Events(ctx, v.id, 20)
	if err != nil {
		return d, err
	}
	for _, e := range events {
		d.Events = append(d.Events, newEventView(e))
	}
	return d, nil
}

// listResults answers GET /api/v1/checks/{service}/{check}/results?limit=N,
// newest first.
func (s *Server) listResults(w http.ResponseWriter, r *http.Request) {
	c, err := s.findCheck(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, err := limitParam(r, 100, 10000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := []resultView{}
	if sn, _ := s.d.Monitor.Snapshot(c.Key()); sn.ID != 0 {
		rows, err := s.d.Store.RecentResults(r.Context(), sn.ID, limit)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for _, row := range rows {
			out = append(out, newResultView(row))
		}
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(out)))
	writeJSON(w, http.StatusOK, out)
}

// listEvents answers GET /api/v1/events?limit=N: state changes of all checks,
// newest first.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, 100, 10000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	events, err := s.d.Store.Events(r.Context(), 0, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]eventView, 0, len(events))
	for _, e := range events {
		out = append(out, newEventView(e))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) findCheck(r *http.Request) (*config.Check, error) {
	service, name := r.PathValue("service"), r.PathValue("check")
	cfg := s.d.Config()
	for i := range cfg.Services {
		if cfg.Services[i].ID != service {
			continue
		}
		for j := range cfg.Services[i].Checks {
			if c := &cfg.Services[i].Checks[j]; c.ID == name {
				return c, nil
			}
		}
		return nil, errs.E(errs.NotFound, "service %q has no check %q", service, name)
	}
	return nil, errs.E(errs.NotFound, "no service %q", service)
}

func limitParam(r *http.Request, def, maxLimit int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		return 0, errs.E(errs.Invalid, "limit must be a whole number from 1 to %d", maxLimit)
	}
	return n, nil
}

// offsetParam reads ?offset=, how many rows to skip: at most maxOffset, so
// a deep page cannot make the store walk the whole table.
func offsetParam(r *http.Request) (int, error) {
	v := r.URL.Query().Get("offset")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxOffset {
		return 0, errs.E(errs.Invalid, "offset must be a whole number from 0 to %d", maxOffset)
	}
	return n, nil
}

// maxOffset bounds ?offset=; narrow the list with its filters instead.
const maxOffset = 100_000
