package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/override"
)

// overrideCreate answers POST /oncall/schedules/{id}/overrides: the override
// form of the calendar. Times are read in the viewer's zone. A refused form
// comes back with what was typed and why.
func (s *Server) overrideCreate(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id := r.PathValue("id")
	f := overrideForm{Person: r.PostForm.Get("person"), Replacing: r.PostForm.Get("replacing"), From: r.PostForm.Get("from"),
		Until: r.PostForm.Get("until"), Note: r.PostForm.Get("note")}
	loc := s.page(r, "", "").zone()
	times, err := localTimes(loc, "from", f.From, "until", f.Until)
	var o overrideView
	if err == nil {
		row, aerr := s.d.Overrides.Add(r.Context(), p, override.Request{Schedule: id, Person: f.Person, Replacing: f.Replacing,
			From: times[0], Until: times[1], Note: f.Note})
		err, o = aerr, newOverrideView(row, s.now())
	}
	if err != nil {
		s.scheduleRefused(w, r, id, "override", err, func(sp *schedulePage) { sp.Form = f })
		return
	}
	dir := s.d.Directory()
	s.notice(w, r, fmt.Sprintf("Override #%d: %s on call from %s until %s.", o.ID, personOf(dir, o.Person).Name,
		o.From.In(loc).Format("Mon 2 Jan 15:04"), o.Until.In(loc).Format("Mon 2 Jan 15:04 MST")))
	http.Redirect(w, r, s.backToSchedule(r, id), http.StatusSeeOther)
}

// swapCreate answers POST /oncall/schedules/{id}/swaps: the swap form.
func (s *Server) swapCreate(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id := r.PathValue("id")
	f := swapForm{Person: r.PostForm.Get("person"), With: r.PostForm.Get("with"), From: r.PostForm.Get("from"),
		Until: r.PostForm.Get("until"), BackFrom: r.PostForm.Get("back_from"), BackUntil: r.PostForm.Get("back_until"),
		Note: r.PostForm.Get("note")}
	loc := s.page(r, "", "").zone()
	times, err := localTimes(loc, "from", f.From, "until", f.Until, "back_from", f.BackFrom, "back_until", f.BackUntil)
	if err == nil {
		_, err = s.d.Overrides.Swap(r.Context(), p, override.SwapRequest{Schedule: id, Person: f.Person, With: f.With,
			From: times[0], Until: times[1], BackFrom: times[2], BackUntil: times[3], Note: f.Note})
	}
	if err != nil {
		s.scheduleRefused(w, r, id, "swap", err, func(sp *schedulePage) { sp.Swap = f })
		return
	}
	dir := s.d.Directory()
	s.notice(w, r, fmt.Sprintf("Swapped: %s takes %s's shift from %s, and %s takes %s's from %s.",
		personOf(dir, f.Person).Name, personOf(dir, f.With).Name, times[0].In(loc).Format("Mon 2 Jan 15:04"),
		personOf(dir, f.With).Name, personOf(dir, f.Person).Name, times[2].In(loc).Format("Mon 2 Jan 15:04")))
	http.Redirect(w, r, s.backToSchedule(r, id), http.StatusSeeOther)
}

// overrideRemove answers POST /oncall/schedules/{id}/overrides/{oid}/remove.
func (s *Server) overrideRemove(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	id := r.PathValue("id")
	oid, err := strconv.ParseInt(r.PathValue("oid"), 10, 64)
	if err != nil || oid <= 0 {
		s.pageError(w, r, errs.E(errs.NotFound, "no override %q", r.PathValue("oid")))
		return
	}
	removed, err := s.d.Overrides.Remove(r.Context(), p, id, oid)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var said []string
	for _, o := range removed {
		switch o.Outcome {
		case "removed":
			said = append(said, fmt.Sprintf("override #%d removed", o.ID))
		case "ended":
			said = append(said, fmt.Sprintf("override #%d ended now", o.ID))
		}
	}
	s.notice(w, r, strings.ToUpper(said[0][:1])+strings.Join(said, ", ")[1:]+".")
	http.Redirect(w, r, s.backToSchedule(r, id), http.StatusSeeOther)
}

// scheduleRefused shows the calendar again with the form as typed and why
// it was refused, with the error's status.
func (s *Server) scheduleRefused(w http.ResponseWriter, r *http.Request, id, form string, cause error, keep func(*schedulePage)) {
	sp, err := s.scheduleData(r, id, r.PostForm.Get("view"), r.PostForm.Get("weeks"))
	if err != nil {
		s.pageError(w, r, cause)
		return
	}
	keep(&sp)
	sp.Problem, sp.In = errs.Message(cause), form
	if errs.CodeOf(cause) == errs.Internal {
		s.d.Log.Error("on-call form failed", "path", r.URL.Path, "err", cause)
	}
	s.renderStatus(w, r, statusOf(errs.CodeOf(cause)), "schedule.html", sp)
}

// backToSchedule is the calendar the form was posted from.
func (s *Server) backToSchedule(r *http.Request, id string) string {
	q := url.Values{}
	if v := r.PostForm.Get("view"); v != "" {
		if _, err := time.Parse(dayLayout, v); err == nil {
			q.Set("from", v)
		}
	}
	if n, err := strconv.Atoi(r.PostForm.Get("weeks")); err == nil && n >= 2 && n <= 4 {
		q.Set("weeks", strconv.Itoa(n))
	}
	u := "/oncall/schedules/" + url.PathEscape(id)
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u + "#calendar"
}

// localTimes reads pairs of field name and datetime-local value in loc;
// every bad one is reported at once. An empty value is left zero for the
// service to name.
func localTimes(loc *time.Location, pairs ...string) ([]time.Time, error) {
	out := make([]time.Time, len(pairs)/2)
	var problems []string
	for i := 0; i+1 < len(pairs); i += 2 {
		v := strings.TrimSpace(pairs[i+1])
		if v == "" {
			continue
		}
		t, err := time.ParseInLocation(localLayout, v, loc)
		if err != nil {
			// Some browsers send seconds too.
			t, err = time.ParseInLocation(localLayout+":05", v, loc)
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %q is not a date and time like 2026-11-24T09:00", pairs[i], v))
			continue
		}
		out[i/2] = t
	}
	if len(problems) > 0 {
		return nil, errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	return out, nil
}
