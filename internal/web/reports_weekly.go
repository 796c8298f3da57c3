package web

import (
	"bytes"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/report/weekly"
	"github.com/vigil-sre/vigil/internal/zone"
)

// weeklyReport answers GET /api/v1/reports/weekly?from&to&service&tz&format=md|html|json:
// the weekly status report; the last 7 days by default, times in tz (by
// default global.timezone).
func (s *Server) weeklyReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var problems []string
	format := q.Get("format")
	if format != "" && !slices.Contains([]string{"md", "html", "json"}, format) {
		problems = append(problems, "format: \""+format+"\" is not md, html or json")
	}
	loc := zone.Default(s.d.Config())
	if tz := q.Get("tz"); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil || tz == "Local" {
			problems = append(problems, "tz: unknown time zone \""+tz+"\"")
		} else {
			loc = l
		}
	}
	if len(problems) > 0 {
		s.writeError(w, r, errs.E(errs.Invalid, "%s", strings.Join(problems, "; ")))
		return
	}
	rep, err := s.buildWeekly(r, q.Get("from"), q.Get("to"), q["service"], loc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if format == "" || format == "json" {
		writeJSON(w, http.StatusOK, rep)
		return
	}
	var md bytes.Buffer
	if err := weekly.Markdown(&md, rep, weekly.Render{Loc: loc, Base: s.baseURL(r), Config: s.d.Config()}); err != nil {
		s.writeError(w, r, faultOr(err, "writing the report"))
		return
	}
	s.writeDocument(w, r, weekly.Title(rep, loc), md.Bytes(), format)
}

// buildWeekly reads the period (RFC 3339 times; the 7 days before now by
// default) and builds the report, refusing every bad field at once.
func (s *Server) buildWeekly(r *http.Request, rawFrom, rawTo string, services []string, loc *time.Location) (weekly.Report, error) {
	var problems []string
	to := s.now()
	if t, err := s.ahead().Parse("to", rawTo); err != nil {
		problems = append(problems, errs.Message(err))
	} else if t != nil {
		to = *t
	}
	from := to.Add(-7 * 24 * time.Hour)
	if t, err := s.ahead().Parse("from", rawFrom); err != nil {
		problems = append(problems, errs.Message(err))
	} else if t != nil {
		from = *t
	}
	cfg := s.d.Config()
	if err := weekly.Check(cfg, from, to, services); err != nil {
		problems = append(problems, errs.Message(err))
	}
	if len(problems) > 0 {
		return weekly.Report{}, errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	rep, err := weekly.Build(r.Context(), weekly.Deps{Store: s.d.Store, Toil: s.d.Toil, SLOs: s.d.SLOs},
		weekly.Options{Config: cfg, From: from, To: to, Services: services, Now: s.now(), Loc: loc})
	return rep, faultOr(err, "building the weekly report")
}
