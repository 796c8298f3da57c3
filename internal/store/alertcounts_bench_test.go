package store

import (
	"context"
	"fmt"
	"testing"

	"github.com/vigil-sre/vigil/internal/alert"
)

// BenchmarkStatusReads100k is what the status page and the services API
// read with 100,000 open alerts over 50 services (a tenth held back): the
// counts by service and severity, and the newest 200 open alerts (also what
// a page of the alerts API costs, the baseline). all-open reads every open
// alert, as evaluating suppression on each read would have to.
func BenchmarkStatusReads100k(b *testing.B) {
	for _, e := range engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			s := openStore(b, e.Fresh(b), Options{})
			const n, batch = 100_000, 2_000
			for first := 1; first <= n; first += batch {
				rows := make([]AlertRow, 0, batch)
				for id := first; id < first+batch; id++ {
					a := alertRow(int64(id), fmt.Sprint("k", id), "firing", 0)
					a.Service = fmt.Sprintf("svc-%02d", id%50)
					a.Severity = []string{"critical", "error", "warning", "info"}[id%4]
					if id%10 == 0 {
						a.Suppression = alert.Suppression{SilencedBy: []string{"s1"}}
					}
					rows = append(rows, a)
				}
				writeAlerts(b, s, AlertBatch{Alerts: rows})
			}
			open := []string{"firing", "acknowledged"}
			b.Run("newest-200", func(b *testing.B) {
				for b.Loop() {
					if _, _, err := s.Alerts(ctx, AlertFilter{Status: open, Limit: 200}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("counts", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.OpenAlertCounts(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("all-open", func(b *testing.B) {
				for b.Loop() {
					if _, err := s.LiveAlerts(ctx); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
