package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// deploysShown is how many deploys the deploys page lists, newest first.
const deploysShown = 200

type deploysPage struct {
	Page
	Service  string
	Services []string
	Deploys  []deployView
	More     bool
}

// deploysPage renders /deploys?service=: deploys newest first (version,
// environment, who, when, notes), each with the incidents that followed it
// on its service.
func (s *Server) deploysPage(w http.ResponseWriter, r *http.Request) {
	p := deploysPage{Page: s.page(r, "Deploys", "deploys"), Service: strings.TrimSpace(r.URL.Query().Get("service")), Services: s.serviceIDs()}
	ds, err := s.d.Store.DeployPage(r.Context(), p.Service, time.Time{}, p.Now.Add(time.Nanosecond), deploysShown+1)
	if err != nil {
		s.pageError(w, r, errs.Wrap(errs.Internal, err, "listing deploys"))
		return
	}
	if len(ds) > deploysShown {
		ds, p.More = ds[:deploysShown], true
	}
	var ins []store.IncidentRow
	if len(ds) > 0 {
		if ins, err = s.d.Store.Incidents(r.Context(), store.IncidentFilter{Service: p.Service, Since: followingSince(ds), Limit: 1000}); err != nil {
			s.pageError(w, r, errs.Wrap(errs.Internal, err, "listing incidents"))
			return
		}
	}
	p.Deploys = deployViews(ds, ins)
	s.render(w, r, "deploys.html", p)
}
