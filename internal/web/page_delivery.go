package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/deploy"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/report/delivery"
	"github.com/vigil-sre/vigil/internal/store"
)

// deliveryDeploysShown is how many of the period's deploys the page lists.
const deliveryDeploysShown = 100

type deliveryPage struct {
	Page
	Query    deploy.DeliveryQuery
	FromDay  string // the form's dates, in the viewer's zone
	ToDay    string
	Services []string
	Report   delivery.Report
	Rows     []delivery.Metrics // overall first, then each service
	Deploys  []store.DeployRow  // of the period and environment, newest first
	More     bool
}

// deliveryPage renders /delivery?from=&to=&service=&environment=: the four
// keys over a period (the last 30 days unless the form says otherwise),
// the deploys behind the change failures, and the period's deploys with
// their verification. Dates are days in the viewer's zone; to is included.
func (s *Server) deliveryPage(w http.ResponseWriter, r *http.Request) {
	p := deliveryPage{Page: s.page(r, "Delivery", "delivery")}
	v := r.URL.Query()
	loc := p.loc
	if loc == nil {
		loc = time.UTC
	}
	now := p.Now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	from, to := today.AddDate(0, 0, -29), today.AddDate(0, 0, 1)
	var problems []string
	for _, f := range []struct {
		name string
		dst  *time.Time
		add  int
	}{{"from", &from, 0}, {"to", &to, 1}} {
		if day := strings.TrimSpace(v.Get(f.name)); day != "" {
			t, err := time.ParseInLocation("2006-01-02", day, loc)
			if err != nil {
				problems = append(problems, f.name+": "+clipped(day)+" is not a date like 2026-11-23")
				continue
			}
			*f.dst = t.AddDate(0, 0, f.add)
		}
	}
	if len(problems) > 0 {
		s.pageError(w, r, errs.E(errs.Invalid, "%s", strings.Join(problems, "; ")))
		return
	}
	p.Query = deploy.DeliveryQuery{From: from, To: to, Service: strings.TrimSpace(v.Get("service")), Environment: strings.TrimSpace(v.Get("environment"))}
	if p.Query.Environment == "" {
		p.Query.Environment = deploy.DefaultEnvironment
	}
	p.FromDay, p.ToDay = from.Format("2006-01-02"), to.AddDate(0, 0, -1).Format("2006-01-02")
	for _, svc := range s.d.Config().Services {
		p.Services = append(p.Services, svc.ID)
	}
	rep, err := s.d.Deploys.Delivery(r.Context(), p.Query)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Report = rep
	p.Rows = append([]delivery.Metrics{rep.Overall}, rep.Services...)
	ds, err := s.d.Store.Deploys(r.Context(), p.Query.Service, from, to)
	if err != nil {
		s.pageError(w, r, errs.Wrap(errs.Internal, err, "listing deploys"))
		return
	}
	for _, d := range ds {
		if d.Environment != p.Query.Environment {
			continue
		}
		if len(p.Deploys) == deliveryDeploysShown {
			p.More = true
			break
		}
		p.Deploys = append(p.Deploys, d)
	}
	s.render(w, r, "delivery.html", p)
}

// Dur writes seconds as people say a duration; "—" for none.
func (p deliveryPage) Dur(secs *float64) string {
	if secs == nil {
		return "—"
	}
	return delivery.Duration(secs)
}

// Rate writes a change failure rate; "—" for none.
func (p deliveryPage) Rate(r *float64) string {
	if r == nil {
		return "—"
	}
	return delivery.Percent(*r)
}
