package web

import (
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// expiredShown is how far back the silences page lists ended silences.
const expiredShown = 30 * 24 * time.Hour

type silencesPage struct {
	Page
	All         bool
	Silences    []silenceView
	Maintenance []maintenanceView
}

type maintenanceView struct {
	ID         string
	Match      string
	Start, End time.Time
	State      string // planned, active, over
}

// silencesPage renders /silences: silences in force and to come (with
// ?all=1, those ended in the last 30 days too), and the maintenance
// windows of the config.
func (s *Server) silencesPage(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	p := silencesPage{Page: s.page(r, "Silences", "silences"), All: r.URL.Query().Get("all") == "1"}
	since := now
	if p.All {
		since = now.Add(-expiredShown)
	}
	rows, err := s.d.Store.Silences(r.Context(), since)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, row := range rows {
		p.Silences = append(p.Silences, newSilenceView(row, now))
	}
	// Ending soonest first among those in force; the ended after them.
	slices.SortStableFunc(p.Silences, func(a, b silenceView) int {
		if (a.State == "expired") != (b.State == "expired") {
			if a.State == "expired" {
				return 1
			}
			return -1
		}
		return a.EndsAt.Compare(b.EndsAt)
	})
	cfg := s.d.Config()
	loc := s.d.People().Location(cfg.Global.Timezone)
	for _, m := range cfg.Maintenance {
		start, err := config.ParseLocalTime(m.Start, loc)
		if err != nil {
			continue // config validation refuses it; nothing to show
		}
		v := maintenanceView{ID: m.ID, Start: start, End: start.Add(m.Duration.D()), State: "planned"}
		var match []string
		for _, k := range slices.Sorted(maps.Keys(m.Match)) {
			match = append(match, fmt.Sprintf("%s=%q", k, m.Match[k]))
		}
		v.Match = strings.Join(match, ", ")
		switch {
		case !now.Before(v.End):
			v.State = "over"
		case !now.Before(v.Start):
			v.State = "active"
		}
		p.Maintenance = append(p.Maintenance, v)
	}
	s.render(w, r, "silences.html", p)
}

type silenceForm struct {
	Page
	Matchers string
	Duration string
	Comment  string
	AlertID  int64
	Problem  string
}

// silenceDurations are the durations the form offers.
func silenceDurations() []string { return []string{"30m", "1h", "2h", "4h", "8h", "1d", "3d", "7d"} }

// Durations lists the durations offered.
func (silenceForm) Durations() []string { return silenceDurations() }

// newSilencePage renders /silences/new, with ?alert=ID the matchers of that
// alert filled in: every label, one per line, to narrow or widen.
func (s *Server) newSilencePage(w http.ResponseWriter, r *http.Request) {
	p := silenceForm{Page: s.page(r, "New silence", "silences"), Duration: "2h"}
	if v := r.URL.Query().Get("alert"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.pageError(w, r, errs.E(errs.Invalid, "alert must be an alert id, not %q", v))
			return
		}
		a, err := s.d.Store.Alert(r.Context(), id)
		if errors.Is(err, store.ErrNotFound) {
			err = errs.E(errs.NotFound, "no alert %d", id)
		}
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		p.AlertID = id
		p.Matchers = matchersOf(a.Labels)
		p.Comment = fmt.Sprintf("Silencing alert #%d (%s): ", id, a.Summary)
	}
	s.render(w, r, "silence_new.html", p)
}

// matchersOf writes labels as Alertmanager matchers, one per line.
func matchersOf(labels map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		fmt.Fprintf(&b, "%s=%q\n", k, labels[k])
	}
	return b.String()
}

// silenceCreate answers POST /silences: a silence from now for the
// duration chosen. A bad form comes back with what was typed and why.
func (s *Server) silenceCreate(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	f := silenceForm{Page: s.page(r, "New silence", "silences"), Matchers: r.PostForm.Get("matchers"),
		Duration: r.PostForm.Get("duration"), Comment: r.PostForm.Get("comment")}
	f.AlertID, _ = strconv.ParseInt(r.PostForm.Get("alert"), 10, 64)
	var matchers []string
	for _, line := range strings.Split(f.Matchers, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			matchers = append(matchers, line)
		}
	}
	d, err := duration.Parse(f.Duration)
	switch {
	case err != nil:
		err = errs.E(errs.Invalid, "duration: %v", err)
	case d <= 0 || d > 365*24*time.Hour:
		err = errs.E(errs.Invalid, "duration: must be more than 0 and at most a year")
	case len(matchers) == 0:
		err = errs.E(errs.Invalid, "matchers: give at least one, like service=\"shop\"")
	case len(matchers) > 50:
		err = errs.E(errs.Invalid, "matchers: at most 50")
	}
	var row store.SilenceRow
	if err == nil {
		now := s.now()
		row, err = s.addSilence(r, p.Actor(), matchers, now, now.Add(d), strings.TrimSpace(f.Comment))
	}
	if err != nil {
		f.Problem = errs.Message(err)
		s.renderStatus(w, r, http.StatusBadRequest, "silence_new.html", f)
		return
	}
	s.notice(w, r, fmt.Sprintf("Silenced until %s UTC (silence %s).", row.EndsAt.UTC().Format("2006-01-02 15:04"), row.ID))
	if f.AlertID > 0 {
		http.Redirect(w, r, fmt.Sprintf("/alerts/%d", f.AlertID), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/silences", http.StatusSeeOther)
}

// silenceExpire answers POST /silences/{id}/expire: the silence ends now.
func (s *Server) silenceExpire(w http.ResponseWriter, r *http.Request, _ auth.Principal) {
	row, err := s.silenceByID(r)
	if err == nil {
		row, err = s.endSilence(r, row)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.notice(w, r, fmt.Sprintf("Silence %s has ended.", row.ID))
	http.Redirect(w, r, "/silences", http.StatusSeeOther)
}
