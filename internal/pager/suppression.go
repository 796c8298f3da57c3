package pager

import (
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/route"
	"github.com/vigil-sre/vigil/internal/store"
)

// Suppression says what holds an open alert back from paging: the silences
// that match it, the maintenance window it is in, and whether a firing
// alert inhibits it (only firing alerts are inhibited).
type Suppression struct {
	SilencedBy  []string
	Maintenance string
	Inhibited   bool
}

// Suppressed reports whether anything holds the alert back.
func (s Suppression) Suppressed() bool {
	return len(s.SilencedBy) > 0 || s.Maintenance != "" || s.Inhibited
}

// Kind is one word for what holds the alert back, in the order Reason
// takes them: silenced, maintenance or inhibited; "" when nothing does.
func (s Suppression) Kind() string {
	switch {
	case len(s.SilencedBy) > 0:
		return "silenced"
	case s.Maintenance != "":
		return "maintenance"
	case s.Inhibited:
		return "inhibited"
	}
	return ""
}

// Reason is what the alert's log says holds it back, the first of a
// silence, a maintenance window and an inhibition; "" when nothing does.
func (s Suppression) Reason() string {
	switch {
	case len(s.SilencedBy) > 0:
		return "silenced by " + joinLimited(s.SilencedBy, 3)
	case s.Maintenance != "":
		return "in maintenance window " + s.Maintenance
	case s.Inhibited:
		return "inhibited"
	}
	return ""
}

// silencing is what a set of silences answers: which match labels at t.
type silencing interface {
	Silencing(lbls map[string]string, t time.Time) []string
}

// suppressionOf is the one rule the pager pages by and the API shows.
func suppressionOf(sil silencing, maint *route.Maintenance, inhibited func(map[string]string) bool, a store.AlertRow, now time.Time) Suppression {
	var s Suppression
	s.SilencedBy = sil.Silencing(a.Labels, now)
	s.Maintenance, _ = maint.In(a.Labels, now)
	s.Inhibited = a.Status == string(alert.Firing) && inhibited(a.Labels)
	return s
}

// Suppressions says, for each open alert in live (the store's live alerts:
// every open one, so that inhibition sees every firing source), what holds
// it back at now under cfg and silences. It is for readers outside the
// pager (the API, pages and CLI); it asks the same rule the pager does.
func Suppressions(cfg *config.Config, silences []store.SilenceRow, live []store.AlertRow, now time.Time) (map[int64]Suppression, error) {
	maint, err := route.NewMaintenance(cfg)
	if err != nil {
		return nil, err
	}
	inhibitor, err := route.NewInhibitor(cfg)
	if err != nil {
		return nil, err
	}
	var firing []map[string]string
	for _, a := range live {
		if a.Status == string(alert.Firing) {
			firing = append(firing, a.Labels)
		}
	}
	idx := inhibitor.Index(firing)
	sil := route.NewSilencer(SilencesFrom(silences))
	out := map[int64]Suppression{}
	for _, a := range live {
		if !alert.Status(a.Status).Open() {
			continue
		}
		if s := suppressionOf(sil, maint, idx.Inhibited, a, now); s.Suppressed() {
			out[a.ID] = s
		}
	}
	return out, nil
}
