package store

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"
)

func BenchmarkExpPage(b *testing.B) {
	const per = 400
	for _, ps := range []int{0, 1, 2, 3} {
		b.Run(fmt.Sprint("page=", ps), func(b *testing.B) {
			ctx := context.Background()
			path := b.TempDir() + "/v.db"
			raw, err := sql.Open("sqlite", path)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := raw.Exec("CREATE TABLE zz(a); DROP TABLE zz;"); err != nil {
				b.Fatal(err)
			}
			raw.Close()
			s := openStore(b, "sqlite://"+path, Options{})
			var got int
			s.w.QueryRowContext(ctx, "PRAGMA page_size").Scan(&got)

			var id int64
			next := func() AlertBatch {
				var bt AlertBatch
				for range per {
					id++
					a := alertRow(id, fmt.Sprintf("alertmanager/bench/%016x", spread(id)), "firing", 0)
					a.Labels = map[string]string{"alertname": fmt.Sprintf("load-G%d", id/10), "instance": fmt.Sprintf("load-%d", id),
						"bench": "load", "service": "bench", "severity": "warning", "job": "node"}
					bt.Alerts = append(bt.Alerts, a)
					if ps&1 == 0 {
						bt.Members = append(bt.Members, MemberRow{AlertID: id, GroupKey: fmt.Sprintf("bench|{alertname=load-G%d}", id/10)})
					}
					if ps&2 == 0 {
						bt.Log = append(bt.Log, AlertLog{ID: id, AlertID: id, At: t0, Kind: "fired", Actor: "alertmanager/bench", Detail: a.Summary})
					}
				}
				return bt
			}
			n := 0
			var cpu time.Duration
			for b.Loop() {
				b.StopTimer()
				bt := next()
				cpu0 := processCPU(b)
				b.StartTimer()
				if err := s.WriteAlerts(ctx, bt); err != nil {
					b.Fatal(err)
				}
				cpu += processCPU(b) - cpu0
				n += per
			}
			b.ReportMetric(float64(cpu.Microseconds())/float64(n), "cpu-us/alert")
		})
	}
}
