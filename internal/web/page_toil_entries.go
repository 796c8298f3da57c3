package web

import (
	"net/http"
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/report/toilplan"
	"github.com/vigil-sre/vigil/internal/toil"
)

// entriesPageLimit is how many entries the ledger page lists.
const entriesPageLimit = 500

type toilEntryRow struct {
	toil.Entry
	Time, Link string
}

type toilEntriesPage struct {
	Page
	Period       periodView
	Item, Person string
	Source       string
	Sources      []string
	ItemOptions  []option
	Entries      []toilEntryRow
	Total        string
	Limited      bool
}

// toilEntriesPage renders /toil/entries: the ledger, what Vigil saw and
// what people logged, newest last; the last 7 days by default.
func (s *Server) toilEntriesPage(w http.ResponseWriter, r *http.Request) {
	p := toilEntriesPage{Page: s.page(r, "Toil ledger", "toil"), Sources: toil.Sources()}
	per, err := s.pagePeriod(r, p.Page, 7)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	q := r.URL.Query()
	p.Period, p.Item, p.Person, p.Source = per, q.Get("item"), q.Get("person"), q.Get("source")
	if p.Source != "" && !slices.Contains(p.Sources, p.Source) {
		s.pageError(w, r, errs.E(errs.Invalid, "source: %q is not one of %s", p.Source, strings.Join(p.Sources, ", ")))
		return
	}
	for _, it := range s.d.Config().Toil {
		p.ItemOptions = append(p.ItemOptions, option{it.ID, it.Title})
	}
	es, err := s.d.Toil.Entries(r.Context(), toil.Query{From: per.from, To: per.to, Service: per.Service, Item: p.Item,
		Person: p.Person, Source: p.Source, Limit: entriesPageLimit + 1})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if len(es) > entriesPageLimit {
		es, p.Limited = es[:entriesPageLimit], true
	}
	total := 0
	for _, e := range es {
		total += e.Minutes
		row := toilEntryRow{Entry: e, Time: toilplan.Duration(e.Minutes)}
		if strings.HasPrefix(e.Ref, "alert/") {
			row.Link = "/alerts/" + strings.TrimPrefix(e.Ref, "alert/")
		}
		p.Entries = append(p.Entries, row)
	}
	p.Total = toilplan.Duration(total)
	s.render(w, r, "toil_entries.html", p)
}
