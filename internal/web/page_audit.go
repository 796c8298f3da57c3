package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// auditPageSize is how many entries a page of the audit log shows.
const auditPageSize = 100

type auditPage struct {
	Page
	Since, Runbook, Run string // the filters, as given
	Runbooks            []string
	Entries             []store.AuditRow
	// Older is the address of the next page; "" on the last. Newest is the
	// first page with the same filters.
	Older, Newest string
	// First says this is the newest page.
	First bool
}

// auditPage renders /audit: the audit log newest first, a page at a time
// (?before=ID), filtered by since (a time in the viewer's zone, or RFC
// 3339), runbook and run.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := auditPage{Page: s.page(r, "Audit log", "runbooks"), Since: q.Get("since"), Runbook: q.Get("runbook"), Run: q.Get("run")}
	for _, b := range s.d.Runbooks.Books() {
		p.Runbooks = append(p.Runbooks, b.ID)
	}
	f := store.AuditFilter{Runbook: p.Runbook, RunID: p.Run, Limit: auditPageSize}
	if p.Since != "" {
		t, err := p.parseSince(p.Since)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		if prob := s.ahead().Problem(t); prob != "" {
			s.pageError(w, r, errs.E(errs.Invalid, "since: %s", prob))
			return
		}
		f.Since = t
	}
	if v := q.Get("before"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.pageError(w, r, errs.E(errs.Invalid, "before must be an entry's id, not %q", shortValue(v)))
			return
		}
		f.Before = id
	}
	p.First = f.Before == 0
	rows, err := s.d.Store.AuditPage(r.Context(), f)
	if err != nil {
		s.pageError(w, r, errs.Wrap(errs.Internal, err, "reading the audit log"))
		return
	}
	p.Entries = rows
	filters := url.Values{}
	for k, v := range map[string]string{"since": p.Since, "runbook": p.Runbook, "run": p.Run} {
		if v != "" {
			filters.Set(k, v)
		}
	}
	p.Newest = "/audit?" + filters.Encode()
	if len(rows) == auditPageSize {
		filters.Set("before", strconv.FormatInt(rows[len(rows)-1].ID, 10))
		p.Older = "/audit?" + filters.Encode()
	}
	s.render(w, r, "audit.html", p)
}

// parseSince reads the since filter: what a datetime-local field sends
// (2026-11-23T16:00), in the viewer's zone, or an RFC 3339 time.
func (p Page) parseSince(v string) (time.Time, error) {
	loc := p.loc
	if loc == nil {
		loc = time.UTC
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, v, loc); err == nil {
			return t, nil
		}
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errs.E(errs.Invalid, "since: %q is not a time (2026-11-23T16:00 in your zone, or RFC 3339)", shortValue(v))
	}
	return t, nil
}
