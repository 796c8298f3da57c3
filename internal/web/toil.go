package web

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/timebound"
	"github.com/vigil-sre/vigil/internal/toil"
)

// periodParams reads from and to (RFC 3339). A missing to is now (and the
// minute of clock skew an entry may be ahead by); a missing from is span
// before to.
func (s *Server) periodParams(r *http.Request, span time.Duration) (time.Time, time.Time, error) {
	q := r.URL.Query()
	var problems []string
	to := s.now().Add(time.Minute)
	if t, err := s.ahead().Parse("to", q.Get("to")); err != nil {
		problems = append(problems, errs.Message(err))
	} else if t != nil {
		to = *t
	}
	from := to.Add(-span)
	if t, err := s.ahead().Parse("from", q.Get("from")); err != nil {
		problems = append(problems, errs.Message(err))
	} else if t != nil {
		from = *t
	}
	if len(problems) > 0 {
		return time.Time{}, time.Time{}, errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	return from, to, toil.Period(from, to)
}

type toilEntriesView struct {
	From    time.Time    `json:"from"`
	To      time.Time    `json:"to"`
	Minutes int          `json:"total_minutes"`
	Entries []toil.Entry `json:"entries"`
}

// listToilEntries answers GET /api/v1/toil/entries?from&to&service&item&person&source&limit:
// the ledger, derived and logged entries alike; the last 7 days by default.
func (s *Server) listToilEntries(w http.ResponseWriter, r *http.Request) {
	from, to, err := s.periodParams(r, 7*24*time.Hour)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	query := toil.Query{From: from, To: to, Service: q.Get("service"), Item: q.Get("item"), Person: q.Get("person"), Source: q.Get("source")}
	if query.Source != "" && !slices.Contains(toil.Sources(), query.Source) {
		s.writeError(w, r, errs.E(errs.Invalid, "source: %q is not one of %s", query.Source, strings.Join(toil.Sources(), ", ")))
		return
	}
	if query.Limit, err = limitParam(r, 1000, 100000); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.knownServices(q["service"]); err != nil {
		s.writeError(w, r, err)
		return
	}
	if query.Item != "" && query.Item != toil.Unclassified {
		if _, ok := s.d.Config().ToilItem(query.Item); !ok {
			s.writeError(w, r, errs.E(errs.Invalid, "item: unknown toil item %q (%q selects the entries no item claims)", query.Item, toil.Unclassified))
			return
		}
	}
	es, err := s.d.Toil.Entries(r.Context(), query)
	if err != nil {
		s.writeError(w, r, faultOr(err, "reading the toil ledger"))
		return
	}
	v := toilEntriesView{From: from, To: to, Entries: es}
	for _, e := range es {
		v.Minutes += e.Minutes
	}
	writeJSON(w, http.StatusOK, v)
}

type toilLogBody struct {
	Text           string `json:"text"`
	Minutes        int    `json:"minutes"`
	Service        string `json:"service"`
	Item           string `json:"item"`
	By             string `json:"by"`
	At             string `json:"at"`
	IdempotencyKey string `json:"idempotency_key"`
}

// logToil answers POST /api/v1/toil/entries. Logging toil is a responder's
// own record of their work, like a note on an incident: it changes nothing
// in production, so respond suffices.
func (s *Server) logToil(w http.ResponseWriter, r *http.Request) {
	p, err := s.allow(r, auth.Respond)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b toilLogBody
	if err := decodeBody(w, r, 16<<10, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	if key != "" && b.IdempotencyKey != "" && key != b.IdempotencyKey {
		s.writeError(w, r, errs.E(errs.Invalid, "idempotency_key: differs from the Idempotency-Key header; send one of them"))
		return
	}
	if key == "" {
		key = b.IdempotencyKey
	}
	// The ledger bounds it further (not ahead of now, not over a year
	// ago), reporting it with the entry's other problems.
	at, err := timebound.Storable().Parse("at", b.At)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.d.Toil.Log(r.Context(), toil.LogRequest{Text: b.Text, Minutes: b.Minutes, Service: b.Service, Item: b.Item,
		Person: b.By, At: at, IdempotencyKey: key, Caller: p.Person, Actor: p.Actor()})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

type toilItemsView struct {
	From     time.Time   `json:"from"`
	To       time.Time   `json:"to"`
	Services []string    `json:"services,omitempty"`
	Total    toil.Count  `json:"total"`
	Saved    int         `json:"saved_minutes"`
	Items    []toil.Item `json:"items"`
}

// listToilItems answers GET /api/v1/toil/items?from&to&service: every toil
// item's cost, trend and savings; the last 28 days by default.
func (s *Server) listToilItems(w http.ResponseWriter, r *http.Request) {
	ov, ok := s.toilOverview(w, r)
	if ok {
		writeJSON(w, http.StatusOK, toilItemsView{From: ov.From, To: ov.To, Services: ov.Services, Total: ov.Total, Saved: ov.Saved, Items: ov.Items})
	}
}

type toilRankView struct {
	From         time.Time    `json:"from"`
	To           time.Time    `json:"to"`
	Services     []string     `json:"services,omitempty"`
	Candidates   []toil.Item  `json:"candidates"`
	Unclassified []toil.Group `json:"unclassified"`
	CapPercent   float64      `json:"cap_percent"`
	WeeklyHours  float64      `json:"weekly_hours"`
	People       []toil.Load  `json:"people"`
	Teams        []toil.Load  `json:"teams"`
}

// toilRank answers GET /api/v1/toil/rank?from&to&service: the items to
// automate next, most minutes a month first; recurring work no item
// covers; and each person's and team's share of toil against the cap.
func (s *Server) toilRank(w http.ResponseWriter, r *http.Request) {
	ov, ok := s.toilOverview(w, r)
	if !ok {
		return
	}
	v := toilRankView{From: ov.From, To: ov.To, Services: ov.Services, Candidates: []toil.Item{}, Unclassified: ov.Unclassified,
		CapPercent: ov.CapPercent, WeeklyHours: ov.WeeklyHours, People: ov.People, Teams: ov.Teams}
	for _, id := range ov.Candidates {
		for _, it := range ov.Items {
			if it.ID == id {
				v.Candidates = append(v.Candidates, it)
			}
		}
	}
	writeJSON(w, http.StatusOK, v)
}

// toilOverview measures the period the request asks about (the last 28
// days by default); on a problem it answers and reports false.
func (s *Server) toilOverview(w http.ResponseWriter, r *http.Request) (toil.Overview, bool) {
	from, to, err := s.periodParams(r, 28*24*time.Hour)
	if err == nil {
		err = s.knownServices(r.URL.Query()["service"])
	}
	if err != nil {
		s.writeError(w, r, err)
		return toil.Overview{}, false
	}
	ov, err := s.d.Toil.Overview(r.Context(), from, to, r.URL.Query()["service"])
	if err != nil {
		s.writeError(w, r, faultOr(err, "measuring toil"))
		return toil.Overview{}, false
	}
	return ov, true
}

// getToilItem answers GET /api/v1/toil/items/{id}?from&to.
func (s *Server) getToilItem(w http.ResponseWriter, r *http.Request) {
	ov, ok := s.toilOverview(w, r)
	if !ok {
		return
	}
	for _, it := range ov.Items {
		if it.ID == r.PathValue("id") {
			writeJSON(w, http.StatusOK, it)
			return
		}
	}
	s.writeError(w, r, errs.E(errs.NotFound, "no toil item %q", r.PathValue("id")))
}

type toilItemBody struct {
	Impact  *string `json:"impact"`
	Benefit *string `json:"benefit"`
	Status  *string `json:"status"`
}

// editToilItem answers PATCH /api/v1/toil/items/{id} (respond): the plan's
// impact and benefit text and the item's status; fields left out stay.
func (s *Server) editToilItem(w http.ResponseWriter, r *http.Request) {
	p, err := s.allow(r, auth.Respond)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b toilItemBody
	if err := decodeBody(w, r, 64<<10, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	it, err := s.d.Toil.EditItem(r.Context(), r.PathValue("id"), toil.ItemEdit{Impact: b.Impact, Benefit: b.Benefit, Status: b.Status, By: p.Actor()})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

// faultOr keeps an error that tells the caller what to fix, and hides any
// other behind what failed.
func faultOr(err error, what string) error {
	if err == nil || errs.CodeOf(err) != errs.Internal {
		return err
	}
	return errs.Wrap(errs.Internal, err, "%s", what)
}
