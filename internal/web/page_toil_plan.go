package web

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/vigil-sre/vigil/internal/report/markdown"
	"github.com/vigil-sre/vigil/internal/report/toilplan"
)

type documentPage struct {
	Page
	Period   *periodView // nil when the document's period is fixed
	Action   string      // where the period form goes
	Body     template.HTML
	Markdown string // a link to the Markdown
}

// toilPlanPage renders /toil/plan: the toil reduction plan of the period,
// the last 7 days by default.
func (s *Server) toilPlanPage(w http.ResponseWriter, r *http.Request) {
	p := documentPage{Page: s.page(r, "Toil reduction plan", "toil"), Action: "/toil/plan"}
	per, ov, err := s.pageOverview(r, p.Page, 7)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var md bytes.Buffer
	if err := toilplan.Markdown(&md, ov, p.loc); err != nil {
		s.pageError(w, r, err)
		return
	}
	if p.Body, err = markdown.Body(md.Bytes()); err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Title, p.Period = toilplan.Title(ov, p.loc), &per
	q := url.Values{"format": {"md"}, "from": {per.from.Format(time.RFC3339)}, "to": {per.to.Format(time.RFC3339)}}
	if per.Service != "" {
		q.Set("service", per.Service)
	}
	p.Markdown = "/api/v1/reports/toil?" + q.Encode()
	s.render(w, r, "document.html", p)
}

// reportRunPage renders /reports/runs/{id}: the document a scheduled
// report sent, where its chat message links.
func (s *Server) reportRunPage(w http.ResponseWriter, r *http.Request) {
	row, err := s.reportRun(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := documentPage{Page: s.page(r, row.Title, "reports")}
	if p.Body, err = markdown.Body([]byte(row.Document)); err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Markdown = "/api/v1/reports/runs/" + r.PathValue("id") + "?format=md"
	s.render(w, r, "document.html", p)
}
