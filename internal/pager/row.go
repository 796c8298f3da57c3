package pager

import (
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/store"
)

// alertRow is an alert's row as the pager holds it, a million at a time:
// store.AlertRow without what most open alerts never have (who acknowledged
// or resolved it and when, what holds it back), which sits behind a
// pointer. The alert's struct is then 352 bytes, not 480.
type alertRow struct {
	ID          int64
	DedupKey    string
	Source      string
	Integration string
	Status      string
	Severity    string
	Summary     string
	Service     string
	Labels      map[string]string
	Annotations map[string]string
	Links       []alert.Link
	Runbook     string
	Occurrences int
	FirstSeen   time.Time
	LastSeen    time.Time
	UpdatedAt   time.Time
	// handled is nil until the alert is acknowledged, resolved or held
	// back. It is never changed in place, as a row is copied to be put
	// back if a change is rolled back (change.touchAlert): see edit.
	handled *handled

	AnnotationsUnloaded, LabelsUnloaded, LinksUnloaded bool
}

// handled is the part of an alert's row that people and suppression set.
type handled struct {
	AckedAt     time.Time
	AckedBy     string
	ResolvedAt  time.Time
	ResolvedBy  string
	Suppression alert.Suppression
}

// edit changes a copy of the handled part and keeps the copy.
func (r *alertRow) edit(f func(*handled)) {
	var h handled
	if r.handled != nil {
		h = *r.handled
	}
	f(&h)
	r.handled = &h
}

// held returns the handled part, zero when there is none.
func (r *alertRow) held() handled {
	if r.handled == nil {
		return handled{}
	}
	return *r.handled
}

func (h handled) equal(o handled) bool {
	return h.AckedAt.Equal(o.AckedAt) && h.AckedBy == o.AckedBy && h.ResolvedAt.Equal(o.ResolvedAt) &&
		h.ResolvedBy == o.ResolvedBy && slices.Equal(h.Suppression.SilencedBy, o.Suppression.SilencedBy) &&
		h.Suppression.Maintenance == o.Suppression.Maintenance && h.Suppression.Inhibited == o.Suppression.Inhibited
}

// rowOf is a stored row as the pager holds it.
func rowOf(s store.AlertRow) alertRow {
	r := alertRow{ID: s.ID, DedupKey: s.DedupKey, Source: s.Source, Integration: s.Integration, Status: s.Status,
		Severity: s.Severity, Summary: s.Summary, Service: s.Service, Labels: s.Labels, Annotations: s.Annotations,
		Links: s.Links, Runbook: s.Runbook, Occurrences: s.Occurrences, FirstSeen: s.FirstSeen, LastSeen: s.LastSeen,
		UpdatedAt: s.UpdatedAt, AnnotationsUnloaded: s.AnnotationsUnloaded, LabelsUnloaded: s.LabelsUnloaded,
		LinksUnloaded: s.LinksUnloaded}
	h := handled{AckedAt: s.AckedAt, AckedBy: s.AckedBy, ResolvedAt: s.ResolvedAt, ResolvedBy: s.ResolvedBy, Suppression: s.Suppression}
	if !h.equal(handled{}) {
		r.handled = &h
	}
	return r
}

// storeRow is the row as the store writes it.
func (r *alertRow) storeRow() store.AlertRow {
	h := r.held()
	return store.AlertRow{ID: r.ID, DedupKey: r.DedupKey, Source: r.Source, Integration: r.Integration, Status: r.Status,
		Severity: r.Severity, Summary: r.Summary, Service: r.Service, Labels: r.Labels, Annotations: r.Annotations,
		Links: r.Links, Runbook: r.Runbook, Occurrences: r.Occurrences, FirstSeen: r.FirstSeen, LastSeen: r.LastSeen,
		AckedAt: h.AckedAt, AckedBy: h.AckedBy, ResolvedAt: h.ResolvedAt, ResolvedBy: h.ResolvedBy, UpdatedAt: r.UpdatedAt,
		Suppression: h.Suppression, AnnotationsUnloaded: r.AnnotationsUnloaded, LabelsUnloaded: r.LabelsUnloaded,
		LinksUnloaded: r.LinksUnloaded}
}
