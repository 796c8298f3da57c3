package override

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/store"
)

const (
	// MaxLength is the longest an override may last: long enough for a
	// holiday or parental cover; anything longer is a change to the
	// rotation, which belongs in the config.
	MaxLength = 90 * 24 * time.Hour
	// maxAhead is how far ahead an override may end.
	maxAhead = 366 * 24 * time.Hour
	// MaxNote bounds the note, in characters.
	MaxNote = 500
	// maxPending bounds the overrides of one schedule not yet over.
	maxPending = 500
)

// Request is one override to add: Person on call on Schedule from From until
// Until, alone, or standing in for Replacing only.
type Request struct {
	Schedule  string
	Person    string
	Replacing string
	From      time.Time
	Until     time.Time
	Note      string
}

// Add checks and stores an override, audited as p. It returns errs.Invalid
// naming every field that is wrong, errs.Forbidden when p may not put that
// person on call (see Allowed), errs.Conflict when the schedule has too many
// overrides to come.
func (s *Service) Add(ctx context.Context, p auth.Principal, r Request) (store.OverrideRow, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.d.Clock.Now()
	dir := s.dir.Load()
	r.Note = strings.TrimSpace(r.Note)
	problems := checkSchedule(dir, r.Schedule)
	problems = append(problems, s.checkPeople(dir, "person", r.Person, "replacing", r.Replacing)...)
	problems = append(problems, checkWindow("from", "until", r.From, r.Until, now)...)
	problems = append(problems, checkNote(r.Note)...)
	if len(problems) == 0 && r.Replacing != "" && !onCallDuring(dir, r.Schedule, r.Replacing, r.From, r.Until) {
		problems = append(problems, fmt.Sprintf("replacing: %s is not on call on %s at any time from %s until %s",
			r.Replacing, r.Schedule, stamp(r.From), stamp(r.Until)))
	}
	if err := invalid(problems); err != nil {
		return store.OverrideRow{}, err
	}
	if !Allowed(p, r.Person) {
		return store.OverrideRow{}, errs.E(errs.Forbidden, "putting someone else on call needs the operate scope; with %s you may put yourself on call", p.Scope)
	}
	if err := s.roomFor(ctx, r.Schedule, 1, now); err != nil {
		return store.OverrideRow{}, err
	}
	row := store.OverrideRow{Schedule: r.Schedule, Person: r.Person, Replacing: r.Replacing, StartsAt: r.From, EndsAt: r.Until,
		Note: r.Note, CreatedBy: p.Actor(), CreatedAt: now}
	rows, err := s.d.Store.AddOverrides(ctx, []store.OverrideRow{row}, func(rows []store.OverrideRow) store.AuditRow {
		return store.AuditRow{At: now, Actor: p.Actor(), Action: "oncall.override.added", Detail: Describe(rows[0])}
	})
	if err != nil {
		return store.OverrideRow{}, errs.Wrap(errs.Unavailable, err, "storing the override")
	}
	return rows[0], s.changed(ctx)
}

// Allowed reports whether p may put person on call. Anyone with respond may
// put themselves on call (take a shift, cover a gap); putting someone else
// on call needs operate, as it changes who is woken at night without them.
func Allowed(p auth.Principal, person string) bool {
	return p.Can(auth.Operate) || (p.Can(auth.Respond) && p.Person != "" && p.Person == person)
}

func checkSchedule(dir *oncall.Directory, schedule string) []string {
	if _, ok := dir.Location(schedule); !ok {
		return []string{fmt.Sprintf("schedule: unknown schedule %q", schedule)}
	}
	return nil
}

// checkPeople checks a person field (required) and the one they stand in
// for (optional, another person).
func (s *Service) checkPeople(dir *oncall.Directory, field, person, otherField, other string) []string {
	var out []string
	switch _, ok := dir.Person(person); {
	case person == "":
		out = append(out, field+": is required")
	case !ok:
		out = append(out, fmt.Sprintf("%s: unknown person %q", field, person))
	}
	if other == "" {
		return out
	}
	switch _, ok := dir.Person(other); {
	case !ok:
		out = append(out, fmt.Sprintf("%s: unknown person %q", otherField, other))
	case other == person:
		out = append(out, fmt.Sprintf("%s: %s cannot stand in for themselves", otherField, person))
	}
	return out
}

// checkWindow checks an override's times: in order, not over yet, ending
// within a year, and at most MaxLength long.
func checkWindow(fromField, untilField string, from, until, now time.Time) []string {
	var out []string
	switch {
	case from.IsZero():
		out = append(out, fromField+": is required")
	case until.IsZero():
		out = append(out, untilField+": is required")
	case !until.After(from):
		out = append(out, fmt.Sprintf("%s: %s must be after %s (%s)", untilField, stamp(until), fromField, stamp(from)))
	case !until.After(now):
		out = append(out, fmt.Sprintf("%s: %s is past; an override must end after now (%s)", untilField, stamp(until), stamp(now)))
	case until.After(now.Add(maxAhead)):
		out = append(out, fmt.Sprintf("%s: %s is more than a year ahead", untilField, stamp(until)))
	case until.Sub(from) > MaxLength:
		out = append(out, fmt.Sprintf("%s: an override lasts at most %s; this one lasts %s", untilField,
			days(MaxLength), days(until.Sub(from))))
	}
	return out
}

func checkNote(note string) []string {
	if n := utf8.RuneCountInString(note); n > MaxNote {
		return []string{fmt.Sprintf("note: at most %d characters, not %d", MaxNote, n)}
	}
	return nil
}

func invalid(problems []string) error {
	if len(problems) == 0 {
		return nil
	}
	slices.Sort(problems)
	return errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
}

// onCallDuring reports whether person is on call on schedule at some moment
// in [from, until).
func onCallDuring(dir *oncall.Directory, schedule, person string, from, until time.Time) bool {
	return slices.ContainsFunc(dir.Shifts(schedule, from, until), func(sh oncall.Shift) bool { return sh.Person == person })
}

// roomFor refuses more than maxPending overrides to come on one schedule.
func (s *Service) roomFor(ctx context.Context, schedule string, n int, now time.Time) error {
	rows, err := s.d.Store.Overrides(ctx, store.OverrideFilter{Schedule: schedule, EndsAfter: now, Limit: maxPending})
	if err != nil {
		return errs.Wrap(errs.Unavailable, err, "reading on-call overrides")
	}
	if len(rows)+n > maxPending {
		return errs.E(errs.Conflict, "schedule %s has %d overrides to come, the most it may have; remove some first", schedule, len(rows))
	}
	return nil
}

// Describe is an override in a line, for the audit log.
func Describe(r store.OverrideRow) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s on call from %s until %s", r.Schedule, r.Person, stamp(r.StartsAt), stamp(r.EndsAt))
	if r.Replacing != "" {
		fmt.Fprintf(&b, ", standing in for %s", r.Replacing)
	}
	if r.ID != 0 {
		fmt.Fprintf(&b, " (override %d)", r.ID)
	}
	if r.Note != "" {
		fmt.Fprintf(&b, ": %s", r.Note)
	}
	return b.String()
}

// days says a long duration in days, as people plan cover.
func days(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return duration.Format(d)
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }
