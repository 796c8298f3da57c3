package web

import (
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

type myShiftsPage struct {
	Page
	Person   personView
	Now      []shiftItem  // shifts under way; End is when each hands over
	Shifts   []shiftItem  // the rest, within myShiftsAhead
	Ahead    int          // days shown
	FeedURL  string       // the secret calendar address
	Webcal   template.URL // the same for calendar apps that subscribe to webcal: (built here, not from input)
	NoPerson bool         // a token without a person: there is nobody to show
}

// myShiftsAhead is how far ahead "my shifts" lists.
const myShiftsAhead = 28 * 24 * time.Hour

// myShiftsPage renders /oncall/me: the signed-in person's shifts on every
// schedule over the next four weeks, and their calendar feed.
func (s *Server) myShiftsPage(w http.ResponseWriter, r *http.Request) {
	p := myShiftsPage{Page: s.page(r, "My shifts", "oncall"), Ahead: int(myShiftsAhead / (24 * time.Hour))}
	if p.Viewer == nil || p.Viewer.ID == "" {
		p.NoPerson = true
		s.render(w, r, "myshifts.html", p)
		return
	}
	dir := s.d.Directory()
	names := scheduleNames(s.d.Config())
	me, now := p.Viewer.ID, s.now()
	p.Person = personOf(dir, me)
	for _, sched := range dir.Schedules() {
		for _, sh := range dir.Shifts(sched, now, now.Add(myShiftsAhead)) {
			if sh.Person != me {
				continue
			}
			it := newShiftItem(dir, sched, names[sched], sh)
			if !sh.Start.After(now) {
				if end, ok := dir.OffCall(sched, me, now); ok {
					it.End = end
				} else {
					it.End = time.Time{}
				}
				p.Now = append(p.Now, it)
				continue
			}
			p.Shifts = append(p.Shifts, it)
		}
	}
	slices.SortStableFunc(p.Shifts, func(a, b shiftItem) int { return a.Start.Compare(b.Start) })
	path, err := s.feedPath(r.Context(), me)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.FeedURL = s.baseURL(r) + path
	if rest, ok := strings.CutPrefix(p.FeedURL, "https://"); ok {
		p.Webcal = template.URL("webcal://" + rest)
	} else if rest, ok := strings.CutPrefix(p.FeedURL, "http://"); ok {
		p.Webcal = template.URL("webcal://" + rest)
	}
	s.render(w, r, "myshifts.html", p)
}

// feedRotate answers POST /oncall/me/feed/rotate: the person's calendar
// feed gets a new address, and the old one stops working.
func (s *Server) feedRotate(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	if p.Person == "" {
		s.pageError(w, r, errs.E(errs.Invalid, "only a person has a calendar feed; this token has no person"))
		return
	}
	now := s.now()
	audit := store.AuditRow{At: now, Actor: p.Actor(), Action: "oncall.feed.rotated", Detail: "calendar feed address of " + p.Person + " replaced"}
	if err := s.d.Store.RotateFeedSecret(r.Context(), p.Person, newFeedSecret(), now, audit); err != nil {
		s.pageError(w, r, errs.Wrap(errs.Unavailable, err, "replacing the calendar feed address"))
		return
	}
	s.notice(w, r, "Your calendar feed has a new address; the old one no longer works. Subscribe again with the new one.")
	http.Redirect(w, r, "/oncall/me#feed", http.StatusSeeOther)
}
