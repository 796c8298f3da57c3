//go:build unix

package store

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
)

// BenchmarkWriteBatch writes what a one-second flush of 500 checks looks like:
// 500 results with conditions, 500 states and 1,500 bucket deltas (minute, hour
// and day per result). Time advances a second per batch, so most bucket upserts
// update existing rows and a new minute starts every 60 batches, as in production.
func BenchmarkWriteBatch(b *testing.B) {
	const checks, keep = 500, 100
	for _, e := range engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			ctx := context.Background()
			s := openStore(b, e.Fresh(b), Options{})
			refs := make([]CheckRef, checks)
			for i := range refs {
				refs[i] = CheckRef{Service: "svc", Name: fmt.Sprintf("check-%03d", i), Kind: "http"}
			}
			byKey, err := s.RegisterChecks(ctx, refs)
			if err != nil {
				b.Fatal(err)
			}
			ids := make([]int64, checks)
			for i, r := range refs {
				ids[i] = byKey[CheckKey(r.Service, r.Name)]
			}
			conds := []check.Condition{{Expr: "status == 200", Kind: "expect", OK: true}, {Expr: "duration < 500ms", Kind: "warn", OK: true}}
			batch := Batch{
				Results: make([]ResultRow, checks),
				States:  make([]CheckState, checks),
				Buckets: make([]Bucket, 0, 3*checks),
			}
			resolutions := []struct {
				r     Resolution
				width time.Duration
			}{{Minute, time.Minute}, {Hour, time.Hour}, {Day, 24 * time.Hour}}
			var seq int64
			cpu0 := processCPU(b)
			b.ResetTimer()
			for b.Loop() {
				seq++
				at := t0.Add(time.Duration(seq) * time.Second)
				batch.Buckets = batch.Buckets[:0]
				for i, id := range ids {
					dur := time.Duration(20+i%50) * time.Millisecond
					batch.Results[i] = ResultRow{CheckID: id, Seq: seq, Result: check.Result{At: at, Duration: dur, Status: check.Pass, Conditions: conds}}
					batch.States[i] = CheckState{CheckID: id, State: "ok", Since: t0, LastChecked: at, LastStatus: "pass",
						LastDuration: dur, Passes: int(seq), History: "ppppppppppppppppppppp", Seq: seq}
					for _, res := range resolutions {
						batch.Buckets = append(batch.Buckets, Bucket{CheckID: id, Res: res.r, Start: at.Truncate(res.width),
							N: 1, UpMs: 1000, DurSum: dur, DurMax: dur})
					}
				}
				if err := s.WriteBatch(ctx, batch, keep); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(seq*checks)/b.Elapsed().Seconds(), "results/s")
			// CPU of this process per 1,000 results (SQLite does all its work here;
			// for Postgres the server's share is not included).
			b.ReportMetric((processCPU(b)-cpu0).Seconds()*1000/float64(seq*checks/1000), "cpu-ms/1k-results")
		})
	}
}

// processCPU returns the user+system CPU time this process has used.
func processCPU(tb testing.TB) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// spread maps 1, 2, 3 ... to values in no order (a 64-bit mix), as hashes
// of label sets are.
func spread(n int64) uint64 {
	x := uint64(n) * 0x9e3779b97f4a7c15
	x ^= x >> 31
	x *= 0xbf58476d1ce4e5b9
	return x ^ x>>29
}

// BenchmarkWriteNewAlerts writes what the pager commits for 400 new
// Alertmanager alerts: each alert's row, its group membership and its
// "fired" log entry, in one transaction. fired=row,group=row writes the
// entry and the membership in the alert's row, as the pager does;
// fired=row writes the membership as a row of its own, as before
// migration 0029, and fired=log the entry as a log row too, as before
// migration 0028. The CPU per alert is this process's (all of SQLite's
// work; not the Postgres server's).
func BenchmarkWriteNewAlerts(b *testing.B) {
	const per = 400
	for _, e := range engines(b) {
		for _, where := range []string{"row", "log", "row,group=row"} {
			b.Run(e.Name+"/fired="+where, func(b *testing.B) {
				ctx := context.Background()
				s := openStore(b, e.Fresh(b), Options{})
				var id int64
				next := func() AlertBatch {
					var bt AlertBatch
					for range per {
						id++
						// Keys in no order, as Alertmanager's fingerprints are.
						a := alertRow(id, fmt.Sprintf("alertmanager/bench/%016x", spread(id)), "firing", 0)
						a.Labels = map[string]string{"alertname": fmt.Sprintf("load-G%d", id/10), "instance": fmt.Sprintf("load-%d", id),
							"bench": "load", "service": "bench", "severity": "warning", "job": "node"}
						fired := AlertLog{ID: id, AlertID: id, At: t0, Kind: "fired", Actor: "alertmanager/bench", Detail: a.Summary}
						group := fmt.Sprintf("bench|{alertname=load-G%d}", id/10)
						switch where {
						case "log":
							bt.Log = append(bt.Log, fired)
							bt.Members = append(bt.Members, MemberRow{AlertID: id, GroupKey: group})
						case "row":
							a.Fired = fired
							bt.Members = append(bt.Members, MemberRow{AlertID: id, GroupKey: group})
						default:
							a.Fired, a.FirstGroup = fired, group
						}
						bt.Alerts = append(bt.Alerts, a)
					}
					return bt
				}
				n := 0
				var cpu time.Duration
				for b.Loop() {
					b.StopTimer()
					bt := next() // made outside the measured CPU
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
}
