package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
)

type onCallPage struct {
	Page
	Schedules []scheduleNow
	Policies  []policyNow
	Handoffs  []handoffItem
}

// scheduleNow is who is on call on a schedule now, and who is next.
type scheduleNow struct {
	ID, Name string
	Now      []shiftItem // the shifts under way; End is when each hands over
	Next     []shiftItem
}

// policyNow is an escalation policy with each step's targets resolved now.
type policyNow struct {
	ID     string
	Repeat int
	Steps  []stepNow
}

type stepNow struct {
	N       int    // 1-based
	When    string // "at once", "15m after step 1"
	Targets []targetNow
}

// targetNow is one target of a step and who it reaches now.
type targetNow struct {
	Target string // schedule/ID, team/ID, person/ID, channel/ID
	Kind   string
	ID     string
	People []personView // for schedules, teams and people
}

type handoffItem struct {
	Schedule, ScheduleName string
	Person                 personView
	At                     time.Time
}

const (
	// nextShown is how many shifts after the current one a schedule lists.
	nextShown = 3
	// handoffsShown bounds the list of next handoffs.
	handoffsShown = 10
	// handoffsAhead is how far ahead the page looks for handoffs.
	handoffsAhead = 7 * 24 * time.Hour
)

// onCallPage renders /oncall: who is on call now on every schedule, what
// every escalation policy would page now, step by step, and the next
// handoffs.
func (s *Server) onCallPage(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	dir := s.d.Directory()
	cfg := s.d.Config()
	names := scheduleNames(cfg)
	p := onCallPage{Page: s.page(r, "On call", "oncall")}
	for _, id := range dir.Schedules() {
		sn := scheduleNow{ID: id, Name: names[id]}
		for _, sh := range dir.Shifts(id, now, now.Add(nextShiftsWindow)) {
			it := newShiftItem(dir, id, names[id], sh)
			if !sh.Start.After(now) {
				// Shifts are clipped to the window: the real end is when
				// they go off call.
				if end, ok := dir.OffCall(id, sh.Person, now); ok {
					it.End = end
				} else {
					it.End = time.Time{}
				}
				sn.Now = append(sn.Now, it)
			} else if len(sn.Next) < nextShown {
				sn.Next = append(sn.Next, it)
			}
		}
		p.Schedules = append(p.Schedules, sn)
	}
	for _, e := range cfg.Escalations {
		pol, ok := dir.Escalation(e.ID)
		if !ok {
			continue
		}
		pn := policyNow{ID: e.ID, Repeat: pol.Repeat}
		for i, st := range pol.Steps {
			sn := stepNow{N: i + 1, When: stepWhen(i, st.After)}
			for _, target := range st.Targets {
				kind, id, _ := strings.Cut(target, "/")
				tn := targetNow{Target: target, Kind: kind, ID: id}
				if kind != "channel" {
					for _, rc := range dir.Expand([]string{target}, now) {
						tn.People = append(tn.People, personOf(dir, rc.Person))
					}
				}
				sn.Targets = append(sn.Targets, tn)
			}
			pn.Steps = append(pn.Steps, sn)
		}
		p.Policies = append(p.Policies, pn)
	}
	for _, h := range dir.Handoffs(now.Add(time.Nanosecond), now.Add(handoffsAhead)) {
		if len(p.Handoffs) == handoffsShown {
			break
		}
		p.Handoffs = append(p.Handoffs, handoffItem{Schedule: h.Schedule, ScheduleName: names[h.Schedule], Person: personOf(dir, h.Person), At: h.At})
	}
	slices.SortStableFunc(p.Handoffs, func(a, b handoffItem) int { return a.At.Compare(b.At) })
	s.render(w, r, "oncall.html", p)
}

// stepWhen says when step i fires, after the one before it.
func stepWhen(i int, after time.Duration) string {
	switch {
	case i == 0 && after <= 0:
		return "at once"
	case i == 0:
		return duration.Format(after) + " after the alert"
	case after <= 0:
		return "with step " + strconv.Itoa(i)
	}
	return duration.Format(after) + " after step " + strconv.Itoa(i)
}
