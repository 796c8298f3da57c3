package web

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/deploy"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/report/delivery"
)

// deliveryReport answers GET /api/v1/reports/delivery?from=&to=&service=
// &environment=&format=json|md&tz=: the four keys over the period, per
// service and overall. to defaults to now.
func (s *Server) deliveryReport(w http.ResponseWriter, r *http.Request) {
	q, loc, err := s.deliveryQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep, err := s.d.Deploys.Delivery(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "md":
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = io.WriteString(w, delivery.Markdown(rep, loc))
	case "", "json":
		writeJSON(w, http.StatusOK, rep)
	default:
		s.writeError(w, r, errs.E(errs.Invalid, "format: must be json or md"))
	}
}

// deliveryQuery reads a delivery report's period, service, environment
// and time zone, with every problem at once.
func (s *Server) deliveryQuery(r *http.Request) (deploy.DeliveryQuery, *time.Location, error) {
	v := r.URL.Query()
	q := deploy.DeliveryQuery{Service: strings.TrimSpace(v.Get("service")), Environment: strings.TrimSpace(v.Get("environment")), To: s.now()}
	var problems []string
	from, err := s.ahead().Parse("from", v.Get("from"))
	switch {
	case err != nil:
		problems = append(problems, errs.Message(err))
	case from == nil:
		problems = append(problems, "from: is required (RFC 3339)")
	default:
		q.From = *from
	}
	if to, err := s.ahead().Parse("to", v.Get("to")); err != nil {
		problems = append(problems, errs.Message(err))
	} else if to != nil {
		q.To = *to
	}
	loc := time.UTC
	if tz := v.Get("tz"); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			problems = append(problems, "tz: unknown time zone "+clipped(tz))
		} else {
			loc = l
		}
	}
	if len(problems) > 0 {
		return q, nil, errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	return q, loc, nil
}
