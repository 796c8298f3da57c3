package web

import (
	"net/http"

	"github.com/vigil-sre/vigil/internal/errs"
)

// getCluster answers GET /api/v1/cluster: the replicas sharing the
// database, what each holds, and the leases with their epochs and ages.
func (s *Server) getCluster(w http.ResponseWriter, r *http.Request) {
	st, err := s.d.Cluster.Status(r.Context())
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Unavailable, err, "reading the cluster"))
		return
	}
	writeJSON(w, http.StatusOK, st)
}
