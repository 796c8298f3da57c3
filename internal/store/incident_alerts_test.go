package store

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestLinkedAlertTimes: each incident's linked alerts, across more
// incidents than one query binds, and none for an incident without links
// or a link to an alert that is not stored; on every engine.
func TestLinkedAlertTimes(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			s := openStore(t, e.Fresh(t), Options{})
			var alerts AlertBatch
			for id := int64(1); id <= 4; id++ {
				alerts.Alerts = append(alerts.Alerts, AlertRow{ID: id, DedupKey: "k" + string(rune('0'+id)), Source: "generic", Status: "firing",
					Severity: "critical", Summary: "a", FirstSeen: t0, LastSeen: t0, UpdatedAt: t0})
				if id == 2 {
					alerts.Alerts[1].Status, alerts.Alerts[1].AckedAt = "acknowledged", t0.Add(time.Minute)
				}
			}
			writeAlerts(t, s, alerts)
			// Two incidents with links, far enough apart in the list (ids
			// of no incident between them) to be read in different queries.
			first := createIncident(t, s, IncidentRow{Title: "i", Status: IncidentInvestigating, DeclaredAt: t0})
			second := createIncident(t, s, IncidentRow{Title: "j", Status: IncidentInvestigating, DeclaredAt: t0})
			if err := s.LinkAlerts(ctx, first.ID, []int64{2, 1}); err != nil {
				t.Fatal(err)
			}
			if err := s.LinkAlerts(ctx, second.ID, []int64{3, 99}); err != nil {
				t.Fatal(err)
			}
			ids := []int64{first.ID}
			for n := range linkChunk {
				ids = append(ids, int64(10_000+n))
			}
			ids = append(ids, second.ID)
			got, err := s.LinkedAlertTimes(ctx, ids)
			if err != nil {
				t.Fatal(err)
			}
			of := func(id int64) []int64 {
				var out []int64
				for _, a := range got[id] {
					out = append(out, a.AlertID)
				}
				return out
			}
			if !slices.Equal(of(first.ID), []int64{1, 2}) || !slices.Equal(of(second.ID), []int64{3}) || len(got) != 2 {
				t.Errorf("LinkedAlertTimes: %v / %v (%d incidents)", of(first.ID), of(second.ID), len(got))
			}
			if a, b := got[first.ID][0], got[first.ID][1]; !a.FirstSeen.Equal(t0) || !a.AckedAt.IsZero() || !b.AckedAt.Equal(t0.Add(time.Minute)) {
				t.Errorf("alert times: %+v %+v", a, b)
			}
		})
	}
}
