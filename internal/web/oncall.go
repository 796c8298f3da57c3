package web

import (
	"net/http"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

type onCallView struct {
	Schedule string       `json:"schedule"`
	At       time.Time    `json:"at"`
	OnCall   []personView `json:"on_call"`
	// Until is when the first of them goes off call; null when nobody is
	// on call, or they still are a year later.
	Until *time.Time  `json:"until"`
	Next  []shiftView `json:"next"` // the following shifts
}

type personView struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

type shiftView struct {
	Person personView `json:"person"`
	Start  time.Time  `json:"start"`
	End    time.Time  `json:"end"`
	Source string     `json:"source"`
}

// nextShiftsWindow is how far ahead the answer lists the next shifts.
const nextShiftsWindow = 14 * 24 * time.Hour

// onCall answers GET /api/v1/oncall?at=RFC3339&schedule=ID: who is on call
// on every schedule (or one), and the next shifts.
func (s *Server) onCall(w http.ResponseWriter, r *http.Request) {
	at := s.now()
	t, err := s.ahead().Parse("at", r.URL.Query().Get("at"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if t != nil {
		at = *t
	}
	dir := s.d.Directory()
	want := r.URL.Query().Get("schedule")
	person := func(id string) personView {
		p, _ := dir.Person(id)
		return personView{ID: id, Name: p.Name}
	}
	out := []onCallView{}
	for _, sched := range dir.Schedules() {
		if want != "" && sched != want {
			continue
		}
		v := onCallView{Schedule: sched, At: at, OnCall: []personView{}, Next: []shiftView{}}
		for _, id := range dir.OnCall(sched, at) {
			v.OnCall = append(v.OnCall, person(id))
			if end, ok := dir.OffCall(sched, id, at); ok && (v.Until == nil || end.Before(*v.Until)) {
				v.Until = &end
			}
		}
		for _, sh := range dir.Shifts(sched, at, at.Add(nextShiftsWindow)) {
			if sh.Start.After(at) && len(v.Next) < 5 {
				v.Next = append(v.Next, shiftView{Person: person(sh.Person), Start: sh.Start, End: sh.End, Source: sh.Source})
			}
		}
		out = append(out, v)
	}
	if want != "" && len(out) == 0 {
		s.writeError(w, r, errs.E(errs.NotFound, "no schedule %q", want))
		return
	}
	writeJSON(w, http.StatusOK, out)
}
