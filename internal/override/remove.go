package override

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// Removed is what became of an override that was removed: "removed" (it had
// not begun), "ended" (it was under way and now ends; it stays as a record)
// or "over" (it had ended already and is left as it was).
type Removed struct {
	store.OverrideRow
	Outcome string
}

// Remove takes an override off schedule, as p: one to come is removed, one
// under way ends now. Removing half of a swap removes both halves. It
// returns errs.NotFound for an override not on that schedule, errs.Conflict
// when it is over already, errs.Forbidden when p may not (see MayRemove).
func (s *Service) Remove(ctx context.Context, p auth.Principal, schedule string, id int64) ([]Removed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.d.Clock.Now()
	row, err := s.d.Store.Override(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && row.Schedule != schedule) {
		return nil, errs.E(errs.NotFound, "no override %d on schedule %q", id, schedule)
	}
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "reading override %d", id)
	}
	halves := []store.OverrideRow{row}
	if row.SwapID != 0 {
		if halves, err = s.d.Store.SwapHalves(ctx, row.SwapID); err != nil {
			return nil, errs.Wrap(errs.Unavailable, err, "reading swap %d", row.SwapID)
		}
	}
	if !MayRemove(p, halves) {
		return nil, errs.E(errs.Forbidden, "removing an override that neither puts you on call nor takes you off, and that you did not make, needs the operate scope; you have %s", p.Scope)
	}
	out := make([]Removed, 0, len(halves))
	var ends []store.OverrideEnd
	var what []string
	for _, h := range halves {
		r := Removed{OverrideRow: h, Outcome: "over"}
		switch State(h, now) {
		case "planned":
			r.Outcome = "removed"
		case "active":
			r.Outcome, r.EndsAt = "ended", now
		}
		if r.Outcome != "over" {
			ends = append(ends, store.OverrideEnd{ID: h.ID, At: now})
			what = append(what, fmt.Sprintf("%s %s", r.Outcome, Describe(h)))
		}
		out = append(out, r)
	}
	if len(ends) == 0 {
		return nil, errs.E(errs.Conflict, "override %d ended at %s; it stays as a record", id, stamp(row.EndsAt))
	}
	audit := store.AuditRow{At: now, Actor: p.Actor(), Action: "oncall.override.removed", Detail: strings.Join(what, "; ")}
	if err := s.d.Store.EndOverrides(ctx, ends, audit); err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "removing override %d", id)
	}
	return out, s.changed(ctx)
}

// MayRemove reports whether p may remove the overrides (a swap's halves):
// with operate, any; with respond, those that put p on call, take p off, or
// that p made.
func MayRemove(p auth.Principal, halves []store.OverrideRow) bool {
	if p.Can(auth.Operate) {
		return true
	}
	if !p.Can(auth.Respond) {
		return false
	}
	for _, h := range halves {
		if h.CreatedBy == p.Actor() || (p.Person != "" && (h.Person == p.Person || h.Replacing == p.Person)) {
			return true
		}
	}
	return false
}

// List returns the overrides of schedule that overlap [from, to), by start;
// at most limit (1 to 1,000).
func (s *Service) List(ctx context.Context, schedule string, from, to time.Time, limit int) ([]store.OverrideRow, error) {
	if _, ok := s.Directory().Location(schedule); !ok {
		return nil, errs.E(errs.NotFound, "no schedule %q", schedule)
	}
	rows, err := s.d.Store.Overrides(ctx, store.OverrideFilter{Schedule: schedule, EndsAfter: from, StartsBefore: to, Limit: min(max(limit, 1), 1000)})
	if err != nil {
		return nil, errs.Wrap(errs.Unavailable, err, "reading on-call overrides")
	}
	return rows, nil
}
