package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/runbook"
	"github.com/vigil-sre/vigil/internal/store"
)

// runsPageLimit is how many runs the history shows.
const runsPageLimit = 200

type runsPage struct {
	Page
	Runbook, Status, Trigger string // the filters
	Awaiting                 bool   // ?awaiting=me
	HideDry                  bool   // ?dry=hide
	Runbooks                 []string
	Statuses, Triggers       []string
	Runs                     []store.RunRow
	Limit                    int
}

// runTriggers are what may start a run, for the trigger filter.
func runTriggers() []string {
	return []string{runbook.TriggerManual, runbook.TriggerAlert, runbook.TriggerSchedule, runbook.TriggerWebhook, runbook.TriggerRunbook}
}

// runsPage renders /runs: the run history, newest first, filtered by
// runbook, status and trigger, dry runs shown unless ?dry=hide; ?awaiting=me lists instead the runs waiting
// for an approval the viewer may give.
func (s *Server) runsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := runsPage{Page: s.page(r, "Runs", "runbooks"), Runbook: q.Get("runbook"), Status: q.Get("status"), Trigger: q.Get("trigger"),
		Statuses: append([]string{"open"}, store.RunStatuses()...), Triggers: runTriggers(), Limit: runsPageLimit}
	for _, b := range s.d.Runbooks.Books() {
		p.Runbooks = append(p.Runbooks, b.ID)
	}
	switch q.Get("awaiting") {
	case "":
	case "me":
		p.Awaiting, p.Title = true, "Runs waiting for your approval"
		var err error
		if p.Runs, err = s.awaitingViewer(r); err != nil {
			s.pageError(w, r, err)
			return
		}
		s.render(w, r, "runs.html", p)
		return
	default:
		s.pageError(w, r, errs.E(errs.Invalid, "awaiting: only me, not %q", shortValue(q.Get("awaiting"))))
		return
	}
	switch q.Get("dry") {
	case "":
	case "hide":
		p.HideDry = true
	default:
		s.pageError(w, r, errs.E(errs.Invalid, "dry: only hide, not %q", shortValue(q.Get("dry"))))
		return
	}
	f := store.RunFilter{Runbook: p.Runbook, RealOnly: p.HideDry, Limit: runsPageLimit}
	var err error
	if f.Statuses, err = runStatuses().Parse(p.Status); err != nil {
		s.pageError(w, r, err)
		return
	}
	if p.Trigger != "" {
		if !slices.Contains(p.Triggers, p.Trigger) {
			s.pageError(w, r, errs.E(errs.Invalid, "trigger: one of %s, not %q", strings.Join(p.Triggers, ", "), shortValue(p.Trigger)))
			return
		}
		f.Trigger = p.Trigger
	}
	if p.Runs, err = s.d.Store.Runs(r.Context(), f); err != nil {
		s.pageError(w, r, errs.Wrap(errs.Internal, err, "listing runs"))
		return
	}
	s.render(w, r, "runs.html", p)
}

// runsTable is a list of runs on a page (template "runs-table").
type runsTable struct {
	Page
	ID, Empty string
	Runs      []store.RunRow
}

// RunsTable lists runs in the table with element id id, saying empty when
// there are none.
func (p Page) RunsTable(id, empty string, runs []store.RunRow) runsTable {
	return runsTable{Page: p, ID: id, Empty: empty, Runs: runs}
}
