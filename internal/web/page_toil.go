package web

import (
	"crypto/rand"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/report/toilplan"
	"github.com/vigil-sre/vigil/internal/toil"
	"github.com/vigil-sre/vigil/internal/web/chart"
)

// periodView is the period a toil page shows, as its date fields hold it:
// whole days in the viewer's zone, the last one included.
type periodView struct {
	From, To string // 2006-01-02
	from, to time.Time
	Service  string
	Services []string // every service, for the filter
}

// pagePeriod reads ?from=DATE&to=DATE&service= (the last days days by
// default) in the viewer's zone.
func (s *Server) pagePeriod(r *http.Request, p Page, days int) (periodView, error) {
	loc := p.loc
	if loc == nil {
		loc = time.UTC
	}
	now := p.Now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	v := periodView{to: today.AddDate(0, 0, 1), Service: r.URL.Query().Get("service")}
	v.from = v.to.AddDate(0, 0, -days)
	var problems []string
	for field, dst := range map[string]*time.Time{"from": &v.from, "to": &v.to} {
		raw := r.URL.Query().Get(field)
		if raw == "" {
			continue
		}
		d, err := time.ParseInLocation("2006-01-02", raw, loc)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %q is not a date such as 2026-11-23", field, raw))
			continue
		}
		if field == "to" {
			d = d.AddDate(0, 0, 1) // the whole last day
		}
		*dst = d
	}
	for _, sv := range s.d.Config().Services {
		v.Services = append(v.Services, sv.ID)
	}
	if v.Service != "" {
		if err := s.knownServices([]string{v.Service}); err != nil {
			problems = append(problems, errs.Message(err))
		}
	}
	if len(problems) == 0 {
		if err := toil.Period(v.from, v.to); err != nil {
			problems = append(problems, errs.Message(err))
		}
	}
	v.From, v.To = v.from.Format("2006-01-02"), v.to.AddDate(0, 0, -1).Format("2006-01-02")
	if len(problems) > 0 {
		return v, errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	return v, nil
}

// pageOverview measures toil over the period a page asks about.
func (s *Server) pageOverview(r *http.Request, p Page, days int) (periodView, toil.Overview, error) {
	per, err := s.pagePeriod(r, p, days)
	if err != nil {
		return per, toil.Overview{}, err
	}
	ov, err := s.d.Toil.Overview(r.Context(), per.from, per.to, per.services())
	return per, ov, err
}

func (v periodView) services() []string {
	if v.Service == "" {
		return nil
	}
	return []string{v.Service}
}

// Query is the period as a query string, for links between the toil pages.
func (v periodView) Query() template.URL {
	q := "from=" + v.From + "&to=" + v.To
	if v.Service != "" {
		q += "&service=" + template.URLQueryEscaper(v.Service)
	}
	return template.URL(q)
}

type toilItemRow struct {
	toil.Item
	Time, Week, Month, Saved string
	Spark                    template.HTML
	Pill                     string // the status pill's class; the word says it too
}

type toilLoadRow struct {
	toil.Load
	Time, Working string
}

type toilGroupRow struct {
	toil.Group
	Time, Month string
}

// statusPill borrows the check states' colours for an item's status.
var statusPill = map[string]string{"automated": "ok", "planned": "pending", "identified": "unknown"}

// logForm is the form to log toil: what was typed, kept when it is refused.
type logForm struct {
	Text, Minutes, Item, Service, By, At, Key string
	Problems                                  []string
}

type option struct{ ID, Label string }

type toilPage struct {
	Page
	Period       periodView
	Total, Saved string
	Occurrences  int
	Items        []toilItemRow
	Candidates   []toilItemRow
	Unclassified []toilGroupRow
	People       []toilLoadRow
	Teams        []toilLoadRow
	CapPercent   float64
	Over         []string
	Form         logForm
	ItemOptions  []option
	PeopleOpts   []option
}

// toilPage renders /toil: every toil item's cost, weekly trend and what
// its automation saved, what to automate next, the work no item covers,
// everyone's share of toil against the cap, and a form to log toil.
func (s *Server) toilPage(w http.ResponseWriter, r *http.Request) {
	s.renderToil(w, r, http.StatusOK, logForm{})
}

func (s *Server) renderToil(w http.ResponseWriter, r *http.Request, status int, form logForm) {
	p := toilPage{Page: s.page(r, "Toil", "toil")}
	per, ov, err := s.pageOverview(r, p.Page, 28)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Period, p.CapPercent = per, ov.CapPercent
	p.Total, p.Saved, p.Occurrences = toilplan.Duration(ov.Total.Minutes), toilplan.Duration(ov.Saved), ov.Total.Occurrences
	byID := map[string]toilItemRow{}
	for _, it := range ov.Items {
		row := toilItemRow{Item: it, Time: toilplan.Duration(it.Minutes), Week: toilplan.Duration(int(it.PerWeek.Minutes)),
			Month: toilplan.Duration(int(it.PerMonth.Minutes)), Saved: toilplan.Duration(it.Savings.Minutes), Pill: statusPill[it.Status]}
		var weekly []float64
		for _, wk := range it.Weeks {
			weekly = append(weekly, float64(wk.Minutes))
		}
		row.Spark = chart.Sparkline(fmt.Sprintf("Minutes a week for %s: %s", it.Title, joinFloats(weekly)), weekly, 80, 20)
		p.Items = append(p.Items, row)
		byID[it.ID] = row
	}
	for _, id := range ov.Candidates {
		p.Candidates = append(p.Candidates, byID[id])
	}
	for _, g := range ov.Unclassified {
		p.Unclassified = append(p.Unclassified, toilGroupRow{Group: g, Time: toilplan.Duration(g.Minutes), Month: toilplan.Duration(int(g.PerMonth.Minutes))})
	}
	for _, l := range ov.People {
		p.People = append(p.People, toilLoadRow{Load: l, Time: toilplan.Duration(l.Minutes), Working: toilplan.Duration(l.Working)})
		if l.Over {
			p.Over = append(p.Over, fmt.Sprintf("%s spent %.0f%% of working time on toil, over the %.0f%% cap.", orID(l.Name, l.ID), l.Percent, ov.CapPercent))
		}
	}
	for _, l := range ov.Teams {
		p.Teams = append(p.Teams, toilLoadRow{Load: l, Time: toilplan.Duration(l.Minutes), Working: toilplan.Duration(l.Working)})
		if l.Over {
			p.Over = append(p.Over, fmt.Sprintf("Team %s spent %.0f%% of its working time on toil, over the %.0f%% cap.", orID(l.Name, l.ID), l.Percent, ov.CapPercent))
		}
	}
	cfg := s.d.Config()
	for _, it := range cfg.Toil {
		p.ItemOptions = append(p.ItemOptions, option{it.ID, it.Title})
	}
	for _, pe := range cfg.People {
		p.PeopleOpts = append(p.PeopleOpts, option{pe.ID, orID(pe.Name, pe.ID)})
	}
	if form.Key == "" {
		form.Key = rand.Text() // a second submit of this form adds nothing
		if p.Viewer != nil {
			form.By = p.Viewer.ID
		}
	}
	p.Form = form
	s.renderStatus(w, r, status, "toil.html", p)
}

// toilLog handles the log form (POST /toil/entries): on success it goes to
// the ledger; a refused entry shows the form again, as typed, with why.
func (s *Server) toilLog(w http.ResponseWriter, r *http.Request, pr auth.Principal) {
	f := logForm{Text: r.PostFormValue("text"), Minutes: r.PostFormValue("minutes"), Item: r.PostFormValue("item"),
		Service: r.PostFormValue("service"), By: r.PostFormValue("by"), At: r.PostFormValue("at"), Key: r.PostFormValue("key")}
	req := toil.LogRequest{Text: f.Text, Item: f.Item, Service: f.Service, Person: f.By, IdempotencyKey: f.Key,
		Caller: pr.Person, Actor: pr.Actor()}
	var problems []string
	minutes, err := strconv.Atoi(strings.TrimSpace(f.Minutes))
	if err != nil {
		problems = append(problems, "minutes: give a whole number of minutes, such as 20")
	}
	req.Minutes = minutes
	if f.At != "" {
		at, err := time.ParseInLocation("2006-01-02T15:04", f.At, s.page(r, "", "").loc)
		if err != nil {
			problems = append(problems, "at: give a date and time, such as 2026-11-23T09:30")
		}
		req.At = &at
	}
	if len(problems) == 0 { // the browser's own checks make these rare; the rest are the ledger's
		e, err := s.d.Toil.Log(r.Context(), req)
		switch {
		case err == nil:
			s.notice(w, r, fmt.Sprintf("Logged %s: %s.", toilplan.Duration(e.Minutes), e.Text))
			http.Redirect(w, r, "/toil/entries", http.StatusSeeOther)
			return
		case errs.CodeOf(err) != errs.Invalid:
			s.pageError(w, r, err)
			return
		}
		problems = append(problems, errs.Message(err))
	}
	for _, p := range problems {
		f.Problems = append(f.Problems, strings.Split(p, "; ")...)
	}
	s.renderToil(w, r, http.StatusBadRequest, f)
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return id
}

func joinFloats(vs []float64) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strings.Join(parts, ", ")
}
