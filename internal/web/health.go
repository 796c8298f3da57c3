package web

import (
	"errors"
	"net/http"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
)

// healthz says the process is alive.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.d.Version})
}

// readyz says whether Vigil can do its work: the store answers and checks run.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if err := s.d.Ready(r.Context()); err != nil {
		s.d.Log.Warn("not ready", "err", err)
		writeJSON(w, http.StatusServiceUnavailable, errorBody{Error: errs.Message(err), Code: string(errs.Unavailable)})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// reload answers POST /-/reload: the config is read again and applied; when it
// is invalid the running config stays and the problems are returned.
func (s *Server) reload(w http.ResponseWriter, r *http.Request) {
	err := s.d.Reload(r.Context())
	var ps config.Problems
	switch {
	case errors.As(err, &ps):
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"error": "the new config is invalid; the running config is unchanged", "code": errs.Invalid, "problems": ps,
		})
	case err != nil:
		s.writeError(w, r, err)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "reloaded"})
	}
}
