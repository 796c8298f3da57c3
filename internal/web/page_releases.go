package web

import (
	"net/http"
	"strings"

	"github.com/vigil-sre/vigil/internal/release"
	"github.com/vigil-sre/vigil/internal/store"
)

// releasesPageLimit is how many releases the releases page lists.
const releasesPageLimit = 200

type releasesPage struct {
	Page
	Service  string   // the filter; "" for every service
	Services []string // the config's services, for the filter
	Releases []release.Release
}

// releasesPage renders /releases?service=: a service's history of
// releases, newest planned first.
func (s *Server) releasesPage(w http.ResponseWriter, r *http.Request) {
	p := releasesPage{Page: s.page(r, "Releases", "releases"), Service: strings.TrimSpace(r.URL.Query().Get("service"))}
	for _, svc := range s.d.Config().Services {
		p.Services = append(p.Services, svc.ID)
	}
	rels, err := s.d.Releases.List(r.Context(), store.ReleaseFilter{Service: p.Service, Limit: releasesPageLimit})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Releases = rels
	s.render(w, r, "releases.html", p)
}
