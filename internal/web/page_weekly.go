package web

import (
	"bytes"
	"net/http"
	"net/url"
	"time"

	"github.com/vigil-sre/vigil/internal/report/markdown"
	"github.com/vigil-sre/vigil/internal/report/weekly"
)

// weeklyPage renders /reports/weekly?from=DATE&to=DATE&service=: the weekly
// status report of the last 7 days by default, in the viewer's zone.
func (s *Server) weeklyPage(w http.ResponseWriter, r *http.Request) {
	p := documentPage{Page: s.page(r, "Weekly status report", "reports"), Action: "/reports/weekly"}
	per, err := s.pagePeriod(r, p.Page, 7)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	loc := p.loc
	if loc == nil {
		loc = time.UTC
	}
	rep, err := s.buildWeekly(r, per.from.Format(time.RFC3339), per.to.Format(time.RFC3339), per.services(), loc)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var md bytes.Buffer
	if err := weekly.Markdown(&md, rep, weekly.Render{Loc: loc, Base: s.baseURL(r), Config: s.d.Config()}); err != nil {
		s.pageError(w, r, err)
		return
	}
	if p.Body, err = markdown.Body(md.Bytes()); err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Title, p.Period = weekly.Title(rep, loc), &per
	q := url.Values{"format": {"md"}, "from": {per.from.Format(time.RFC3339)}, "to": {per.to.Format(time.RFC3339)}, "tz": {loc.String()}}
	if per.Service != "" {
		q.Set("service", per.Service)
	}
	p.Markdown = "/api/v1/reports/weekly?" + q.Encode()
	s.render(w, r, "document.html", p)
}
