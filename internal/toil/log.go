package toil

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// LogRequest is toil a person reports: work Vigil cannot see.
type LogRequest struct {
	Text           string
	Minutes        int
	Service        string
	Item           string
	Person         string     // who did it; default Caller
	At             *time.Time // when it started; default now
	IdempotencyKey string     // a retried request sends the same one
	Caller         string     // the person asking, "" for a token without one
	Actor          string     // who asked, as the record names them: person/ID or token/ID
}

// Limits of a logged entry.
const (
	maxText       = 1000 // runes
	maxKey        = 200  // bytes
	maxPlanText   = 10000
	maxMinutes    = int(config.MaxToilEntry / time.Minute)
	maxBackdating = 366 * 24 * time.Hour
)

// Log adds a logged entry. Every problem with the request is reported at
// once, each naming its field; a retried request (same idempotency key) or
// the same work logged again over the same time is refused and adds nothing.
func (l *Ledger) Log(ctx context.Context, r LogRequest) (Entry, error) {
	cfg := l.d.Config()
	now := l.d.Clock.Now()
	var problems []string
	bad := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	r.Text = strings.TrimSpace(r.Text)
	switch {
	case r.Text == "":
		bad("text: is required: say what was done")
	case utf8.RuneCountInString(r.Text) > maxText:
		bad("text: is longer than %d characters", maxText)
	}
	switch {
	case r.Minutes < 1:
		bad("minutes: must be at least 1, got %d", r.Minutes)
	case r.Minutes > maxMinutes:
		bad("minutes: must be at most %d (24 hours) per entry, got %d: log longer work as several entries", maxMinutes, r.Minutes)
	}
	if r.Item != "" {
		it, ok := cfg.ToilItem(r.Item)
		switch {
		case !ok:
			bad("item: unknown toil item %q%s", r.Item, known(itemIDs(cfg)))
		case r.Service == "":
			r.Service = it.Service
		case it.Service != "" && it.Service != r.Service:
			bad("service: toil item %q belongs to service %q, not %q", r.Item, it.Service, r.Service)
		}
	}
	if r.Service != "" && !slices.ContainsFunc(cfg.Services, func(s config.Service) bool { return s.ID == r.Service }) {
		bad("service: unknown service %q", r.Service)
	}
	if r.Person == "" {
		r.Person = r.Caller
		if r.Person == "" {
			bad("by: is required: %s is not tied to a person (set person: on the token, or say who did it)", r.Actor)
		}
	}
	if r.Person != "" && !slices.ContainsFunc(cfg.People, func(p config.Person) bool { return p.ID == r.Person }) {
		bad("by: unknown person %q", r.Person)
	}
	at := now
	if r.At != nil {
		at = *r.At
		switch {
		case at.After(now.Add(time.Minute)):
			bad("at: %s is in the future", at.Format(time.RFC3339))
		case at.Before(now.Add(-maxBackdating)):
			bad("at: %s is more than a year ago", at.Format(time.RFC3339))
		}
	}
	if len(r.IdempotencyKey) > maxKey || strings.ContainsFunc(r.IdempotencyKey, func(c rune) bool { return c < ' ' || c == 0x7f }) {
		bad("idempotency_key: must be at most %d printable characters", maxKey)
	}
	if len(problems) > 0 {
		return Entry{}, errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	row, err := l.d.Store.AddToilEntry(ctx, store.ToilEntryRow{At: at.UTC().Truncate(time.Millisecond), Minutes: r.Minutes,
		Person: r.Person, Service: r.Service, Item: r.Item, Text: r.Text, Source: SourceManual,
		IdempotencyKey: r.IdempotencyKey, CreatedBy: r.Actor, CreatedAt: now})
	var dup *store.DuplicateError
	switch {
	case errors.As(err, &dup) && dup.Field == "idempotency_key":
		return Entry{}, errs.E(errs.Invalid, "idempotency_key: entry manual/%d was already logged with this key, so nothing was added", dup.Existing.ID)
	case errors.As(err, &dup):
		return Entry{}, errs.E(errs.Invalid, "at: %s overlaps entry manual/%d, the same work by %s logged for %s, so nothing was added",
			at.Format(time.RFC3339), dup.Existing.ID, dup.Existing.Person, dup.Existing.At.Format(time.RFC3339))
	case err != nil:
		return Entry{}, errs.Wrap(errs.Internal, err, "storing the toil entry")
	}
	return Entry{ID: "manual/" + strconv.FormatInt(row.ID, 10), At: row.At, Minutes: row.Minutes, Person: row.Person,
		Service: row.Service, Item: row.Item, Source: SourceManual, Text: row.Text}, nil
}

// ItemEdit changes what a toil item's plan says; nil fields stay.
type ItemEdit struct {
	Impact, Benefit, Status *string
	By                      string
}

// EditItem stores the edit and returns the item as it now reads, measured
// over the last four weeks.
func (l *Ledger) EditItem(ctx context.Context, id string, e ItemEdit) (Item, error) {
	cfg := l.d.Config()
	if _, ok := cfg.ToilItem(id); !ok {
		return Item{}, errs.E(errs.NotFound, "no toil item %q%s", id, known(itemIDs(cfg)))
	}
	var problems []string
	if e.Impact == nil && e.Benefit == nil && e.Status == nil {
		problems = append(problems, "impact, benefit, status: nothing to change")
	}
	if e.Status != nil && !slices.Contains(config.ToilStatuses(), *e.Status) {
		problems = append(problems, fmt.Sprintf("status: %q is not one of %s", *e.Status, strings.Join(config.ToilStatuses(), ", ")))
	}
	for field, v := range map[string]*string{"benefit": e.Benefit, "impact": e.Impact} {
		if v != nil && utf8.RuneCountInString(*v) > maxPlanText {
			problems = append(problems, fmt.Sprintf("%s: is longer than %d characters", field, maxPlanText))
		}
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return Item{}, errs.E(errs.Invalid, "%s", strings.Join(problems, "; "))
	}
	now := l.d.Clock.Now()
	if _, err := l.d.Store.EditToilItem(ctx, store.ToilItemEdit{Item: id, Impact: e.Impact, Benefit: e.Benefit, Status: e.Status,
		UpdatedBy: e.By, UpdatedAt: now}); err != nil {
		return Item{}, errs.Wrap(errs.Internal, err, "storing the edit")
	}
	ov, err := l.Overview(ctx, now.Add(-28*24*time.Hour), now, nil)
	if err != nil {
		return Item{}, err
	}
	for _, it := range ov.Items {
		if it.ID == id {
			return it, nil
		}
	}
	return Item{}, errs.E(errs.Internal, "toil item %q vanished", id)
}

func itemIDs(cfg *config.Config) []string {
	ids := make([]string, len(cfg.Toil))
	for i, it := range cfg.Toil {
		ids[i] = it.ID
	}
	return ids
}

// known lists the ids that exist, when there are few enough to help.
func known(ids []string) string {
	switch {
	case len(ids) == 0:
		return " (none are configured)"
	case len(ids) > 10:
		return ""
	}
	return " (known: " + strings.Join(ids, ", ") + ")"
}
