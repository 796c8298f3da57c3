package pager

import (
	"maps"
	"reflect"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/store"
)

// A resend is written as a count only when nothing but the count and times
// changed; any other change must write the whole row, or it would be lost.
func TestOnlyRepeated(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	was := store.AlertRow{ID: 7, DedupKey: "am/p/x", Source: "alertmanager", Status: "firing", Severity: "warning",
		Summary: "Disk full", Service: "shop", Labels: map[string]string{"alertname": "DiskFull"},
		Annotations: map[string]string{"summary": "Disk full"}, Links: []alert.Link{{Href: "https://g/d", Text: "Source"}},
		Occurrences: 1, FirstSeen: t0, LastSeen: t0, UpdatedAt: t0}
	now := was
	now.Occurrences, now.LastSeen, now.UpdatedAt = 2, t0.Add(time.Minute), t0.Add(time.Minute)
	if !onlyRepeated(rowOf(was), rowOf(now)) {
		t.Fatal("a resend that changed only the count and times is not a repeat")
	}
	for name, change := range map[string]func(*store.AlertRow){
		"status":      func(r *store.AlertRow) { r.Status = "acknowledged" },
		"severity":    func(r *store.AlertRow) { r.Severity = "critical" },
		"summary":     func(r *store.AlertRow) { r.Summary = "Disk nearly full" },
		"service":     func(r *store.AlertRow) { r.Service = "cart" },
		"labels":      func(r *store.AlertRow) { r.Labels = map[string]string{"alertname": "DiskFull", "severity": "page"} },
		"annotations": func(r *store.AlertRow) { r.Annotations = map[string]string{"summary": "Disk 99% full"} },
		"links":       func(r *store.AlertRow) { r.Links = nil },
		"runbook":     func(r *store.AlertRow) { r.Runbook = "cleanup" },
		"acked":       func(r *store.AlertRow) { r.AckedAt, r.AckedBy = t0, "thach" },
		"resolved":    func(r *store.AlertRow) { r.ResolvedAt, r.ResolvedBy = t0, "vigil" },
		"silenced":    func(r *store.AlertRow) { r.Suppression.SilencedBy = []string{"3f2a"} },
		"maintenance": func(r *store.AlertRow) { r.Suppression.Maintenance = "release-night" },
		"inhibited":   func(r *store.AlertRow) { r.Suppression.Inhibited = true },
	} {
		changed := now
		changed.Labels, changed.Annotations = maps.Clone(now.Labels), maps.Clone(now.Annotations)
		change(&changed)
		if onlyRepeated(rowOf(was), rowOf(changed)) {
			t.Errorf("a change of %s was taken for a repeat: it would not be written", name)
		}
	}
}

// TestAlertRowRoundTrip: the pager's row of an alert writes back as the
// stored row it was read from, whatever it holds; an edit of the handled
// part leaves a copy taken before it (a change's undo) as it was.
func TestAlertRowRoundTrip(t *testing.T) {
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	for _, s := range []store.AlertRow{
		{ID: 1, DedupKey: "k", Status: "firing", Labels: map[string]string{"a": "b"}, FirstSeen: t0, LastSeen: t0, UpdatedAt: t0},
		{ID: 2, DedupKey: "k2", Source: "check", Integration: "web", Status: "resolved", Severity: "critical", Summary: "s",
			Service: "shop", Labels: map[string]string{"a": "b"}, Annotations: map[string]string{"x": "y"}, Links: []alert.Link{{Href: "h"}}, Runbook: "rb",
			Occurrences: 3, FirstSeen: t0, LastSeen: t0, AckedAt: t0, AckedBy: "thach", ResolvedAt: t0.Add(time.Hour),
			ResolvedBy: "vigil", UpdatedAt: t0, Suppression: alert.Suppression{SilencedBy: []string{"s1"}, Maintenance: "m", Inhibited: true},
			AnnotationsUnloaded: true, LabelsUnloaded: true, LinksUnloaded: true},
	} {
		if s.ID == 2 {
			// Every field set: a field added to store.AlertRow fails here
			// until it is set above, and then the round trip checks it.
			// Fired, FirstGroup and Text are not the row's: the change
			// that opens the alert sets them on the row it writes
			// (change.batch).
			v := reflect.ValueOf(s)
			for i := range v.NumField() {
				if name := v.Type().Field(i).Name; v.Field(i).IsZero() && name != "Fired" && name != "FirstGroup" && name != "Text" {
					t.Errorf("the full row leaves %s unset", v.Type().Field(i).Name)
				}
			}
		}
		r := rowOf(s)
		if got := r.storeRow(); !reflect.DeepEqual(got, s) {
			t.Errorf("round trip of\n%+v\ngave\n%+v", s, got)
		}
	}
	r := rowOf(store.AlertRow{ID: 3, Status: "firing"})
	if r.handled != nil {
		t.Fatal("a row nobody handled carries a handled part")
	}
	r.edit(func(h *handled) { h.AckedBy = "thach" })
	before := r
	r.edit(func(h *handled) { h.AckedBy, h.ResolvedBy = "john", "john" })
	if before.held().AckedBy != "thach" || before.held().ResolvedBy != "" || r.held().AckedBy != "john" {
		t.Fatalf("an edit changed the copy taken before it: before %+v, after %+v", before.held(), r.held())
	}
}
