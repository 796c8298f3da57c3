package pager

import (
	"maps"
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
	if !onlyRepeated(was, now) {
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
		if onlyRepeated(was, changed) {
			t.Errorf("a change of %s was taken for a repeat: it would not be written", name)
		}
	}
}
