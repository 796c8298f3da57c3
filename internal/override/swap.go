package override

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// SwapRequest is two people exchanging shifts on a schedule: Person takes
// With's shift from From until Until, and With takes Person's from BackFrom
// until BackUntil. It is stored as two overrides, each standing in for the
// other person, linked so that removing one removes both.
type SwapRequest struct {
	Schedule            string
	Person, With        string
	From, Until         time.Time
	BackFrom, BackUntil time.Time
	Note                string
}

// Swap checks and stores a swap, audited as p, and returns its two halves.
// Errors are as Add's; with respond, p must be one of the two people.
func (s *Service) Swap(ctx context.Context, p auth.Principal, r SwapRequest) ([]store.OverrideRow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.d.Clock.Now()
	dir := s.dir.Load()
	r.Note = strings.TrimSpace(r.Note)
	problems := checkSchedule(dir, r.Schedule)
	if r.With == "" {
		problems = append(problems, "with: is required")
	}
	problems = append(problems, s.checkPeople(dir, "person", r.Person, "with", r.With)...)
	problems = append(problems, checkWindow("from", "until", r.From, r.Until, now)...)
	problems = append(problems, checkWindow("back_from", "back_until", r.BackFrom, r.BackUntil, now)...)
	problems = append(problems, checkNote(r.Note)...)
	if len(problems) == 0 && r.From.Before(r.BackUntil) && r.BackFrom.Before(r.Until) {
		problems = append(problems, "back_from: the two shifts of a swap must not overlap")
	}
	if len(problems) == 0 {
		if !onCallDuring(dir, r.Schedule, r.With, r.From, r.Until) {
			problems = append(problems, fmt.Sprintf("from: %s is not on call on %s at any time from %s until %s",
				r.With, r.Schedule, stamp(r.From), stamp(r.Until)))
		}
		if !onCallDuring(dir, r.Schedule, r.Person, r.BackFrom, r.BackUntil) {
			problems = append(problems, fmt.Sprintf("back_from: %s is not on call on %s at any time from %s until %s",
				r.Person, r.Schedule, stamp(r.BackFrom), stamp(r.BackUntil)))
		}
	}
	if err := invalid(problems); err != nil {
		return nil, err
	}
	// Being one side of the swap is agreeing to it; the other side is put on
	// call in exchange for a shift of theirs given away.
	if !p.Can(auth.Operate) && !(p.Can(auth.Respond) && p.Person != "" && (p.Person == r.Person || p.Person == r.With)) {
		return nil, errs.E(errs.Forbidden, "a swap between two other people needs the operate scope; with %s you may swap your own shifts", p.Scope)
	}
	if err := s.roomFor(ctx, r.Schedule, 2, now); err != nil {
		return nil, err
	}
	halves := []store.OverrideRow{
		{Schedule: r.Schedule, Person: r.Person, Replacing: r.With, StartsAt: r.From, EndsAt: r.Until, Note: r.Note, CreatedBy: p.Actor(), CreatedAt: now},
		{Schedule: r.Schedule, Person: r.With, Replacing: r.Person, StartsAt: r.BackFrom, EndsAt: r.BackUntil, Note: r.Note, CreatedBy: p.Actor(), CreatedAt: now},
	}
	rows, err := s.d.Store.AddOverrides(ctx, halves, func(rows []store.OverrideRow) store.AuditRow {
		return store.AuditRow{At: now, Actor: p.Actor(), Action: "oncall.swap.added",
			Detail: fmt.Sprintf("swap %d: %s; %s", rows[0].ID, Describe(rows[0]), Describe(rows[1]))}
	})
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "storing the swap")
	}
	return rows, s.changed(ctx)
}
