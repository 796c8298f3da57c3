package web

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/report/markdown"
	"github.com/vigil-sre/vigil/internal/report/toilplan"
	"github.com/vigil-sre/vigil/internal/store"
)

// toilReport answers GET /api/v1/reports/toil?from&to&service&format=md|html|json:
// the toil reduction plan; the last 7 days by default.
func (s *Server) toilReport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && !slices.Contains([]string{"md", "html", "json"}, format) {
		s.writeError(w, r, errs.E(errs.Invalid, "format: %q is not md, html or json", format))
		return
	}
	from, to, err := s.periodParams(r, 7*24*time.Hour)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	services := r.URL.Query()["service"]
	if err := s.knownServices(services); err != nil {
		s.writeError(w, r, err)
		return
	}
	ov, err := s.d.Toil.Overview(r.Context(), from, to, services)
	if err != nil {
		s.writeError(w, r, faultOr(err, "measuring toil"))
		return
	}
	if format == "" || format == "json" {
		writeJSON(w, http.StatusOK, ov)
		return
	}
	loc := s.location()
	var md bytes.Buffer
	if err := toilplan.Markdown(&md, ov, loc); err != nil {
		s.writeError(w, r, faultOr(err, "writing the plan"))
		return
	}
	s.writeDocument(w, r, toilplan.Title(ov, loc), md.Bytes(), format)
}

// writeDocument answers with a Markdown document as Markdown or HTML.
func (s *Server) writeDocument(w http.ResponseWriter, r *http.Request, title string, md []byte, format string) {
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if format == "html" {
		var page bytes.Buffer
		if err := markdown.HTML(&page, title, md); err != nil {
			s.writeError(w, r, faultOr(err, "rendering HTML"))
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
		_, _ = w.Write(page.Bytes())
		return
	}
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	_, _ = w.Write(md)
}

// knownServices refuses a filter on a service the config does not have.
func (s *Server) knownServices(ids []string) error {
	cfg := s.d.Config()
	var problems []string
	for _, id := range ids {
		if !slices.ContainsFunc(cfg.Services, func(c config.Service) bool { return c.ID == id }) {
			problems = append(problems, "service: unknown service "+strconv.Quote(id))
		}
	}
	if len(problems) > 0 {
		return errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	return nil
}

// location is the configured time zone for documents.
func (s *Server) location() *time.Location {
	loc, err := time.LoadLocation(s.d.Config().Global.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// listReportRuns answers GET /api/v1/reports/runs?report&limit: the
// history of scheduled reports, newest first.
func (s *Server) listReportRuns(w http.ResponseWriter, r *http.Request) {
	limit, err := limitParam(r, 100, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.d.Store.ReportRuns(r.Context(), store.ReportRunFilter{Report: r.URL.Query().Get("report"), Limit: limit})
	if err != nil {
		s.writeError(w, r, faultOr(err, "reading report runs"))
		return
	}
	if rows == nil {
		rows = []store.ReportRunRow{}
	}
	writeJSON(w, http.StatusOK, rows)
}

// getReportRun answers GET /api/v1/reports/runs/{id}?format=json|md|html:
// one run, or the document it rendered.
func (s *Server) getReportRun(w http.ResponseWriter, r *http.Request) {
	row, err := s.reportRun(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	switch format := r.URL.Query().Get("format"); format {
	case "", "json":
		writeJSON(w, http.StatusOK, struct {
			store.ReportRunRow
			Document string `json:"document"`
		}{row, row.Document})
	case "md", "html":
		s.writeDocument(w, r, row.Title, []byte(row.Document), format)
	default:
		s.writeError(w, r, errs.E(errs.Invalid, "format: %q is not md, html or json", format))
	}
}

func (s *Server) reportRun(r *http.Request) (store.ReportRunRow, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return store.ReportRunRow{}, errs.E(errs.Invalid, "id: %q is not a report run id", r.PathValue("id"))
	}
	row, err := s.d.Store.ReportRun(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return store.ReportRunRow{}, errs.E(errs.NotFound, "no report run %d", id)
	}
	return row, faultOr(err, "reading the report run")
}

// sendReport answers POST /api/v1/reports/{id}/runs (operate): render a
// configured report for the period ending now and send it, off schedule.
// It messages people and channels, as a runbook's notify step does.
func (s *Server) sendReport(w http.ResponseWriter, r *http.Request) {
	if _, err := s.allow(r, auth.Operate); err != nil {
		s.writeError(w, r, err)
		return
	}
	row, err := s.d.Reports.RunNow(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, row)
}
