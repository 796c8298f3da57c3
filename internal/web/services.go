package web

import (
	"context"
	"net/http"

	"github.com/vigil-sre/vigil/internal/errs"
)

// services builds every service view with uptimes, in config order.
func (s *Server) services(ctx context.Context) ([]serviceView, error) {
	cfg := s.d.Config()
	snaps := s.d.Monitor.Snapshots()
	out := make([]serviceView, 0, len(cfg.Services))
	var ids []int64
	for i := range cfg.Services {
		v := newServiceView(&cfg.Services[i], snaps)
		ids = append(ids, v.checkIDs()...)
		out = append(out, v)
	}
	per, err := s.d.Monitor.Uptimes(ctx, ids)
	if err != nil {
		return nil, err
	}
	s.attachSLOs(ctx, out)
	open, err := s.openWork(ctx)
	if err != nil {
		return nil, err
	}
	for i := range out {
		out[i].withOpenWork(open)
		out[i].Uptime = sumUptimes(out[i].checkIDs(), per)
		for j := range out[i].Checks {
			out[i].Checks[j].Uptime = per[out[i].Checks[j].id]
		}
	}
	return out, nil
}

// listServices answers GET /api/v1/services.
func (s *Server) listServices(w http.ResponseWriter, r *http.Request) {
	out, err := s.services(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// getService answers GET /api/v1/services/{service}.
func (s *Server) getService(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("service")
	cfg := s.d.Config()
	for i := range cfg.Services {
		if cfg.Services[i].ID != id {
			continue
		}
		v := newServiceView(&cfg.Services[i], s.d.Monitor.Snapshots())
		per, err := s.d.Monitor.Uptimes(r.Context(), v.checkIDs())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		v.Uptime = sumUptimes(v.checkIDs(), per)
		open, err := s.openWork(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		v.withOpenWork(open)
		views := []serviceView{v}
		s.attachSLOs(r.Context(), views)
		writeJSON(w, http.StatusOK, views[0])
		return
	}
	s.writeError(w, r, errs.E(errs.NotFound, "no service %q", id))
}
