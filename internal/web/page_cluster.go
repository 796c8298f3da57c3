package web

import (
	"net/http"

	"github.com/vigil-sre/vigil/internal/cluster"
)

type clusterPage struct {
	Page
	Cluster cluster.Status
}

// clusterPage renders /cluster: the replicas, which one runs the pager and
// the schedulers, and the leases' epochs and ages.
func (s *Server) clusterPage(w http.ResponseWriter, r *http.Request) {
	st, err := s.d.Cluster.Status(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := clusterPage{Page: s.page(r, "Cluster", "cluster"), Cluster: st}
	p.Refresh = 5
	s.render(w, r, "cluster.html", p)
}
