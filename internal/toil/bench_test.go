package toil_test

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/report/toilplan"
	"github.com/vigil-sre/vigil/internal/report/weekly"
	"github.com/vigil-sre/vigil/internal/slo"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/store/storetest"
	"github.com/vigil-sre/vigil/internal/toil"
)

// yearEnd is when the benchmarks' year of data ends (a Monday).
var yearEnd = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

const (
	benchServices = 100
	benchPeople   = 10
)

// yearConfig is 100 services with five toil items each (three matched by
// alert, one logged by hand, one automated by a runbook), ten people in two
// teams and a weekly rotation.
func yearConfig(tb testing.TB) *config.Config {
	var b strings.Builder
	b.WriteString("people:\n")
	for p := range benchPeople {
		fmt.Fprintf(&b, "  - {id: p%02d}\n", p)
	}
	b.WriteString("teams:\n  - {id: sre, members: [p00, p01, p02, p03, p04]}\n  - {id: ops, members: [p05, p06, p07, p08, p09]}\n")
	b.WriteString("schedules:\n  - {id: primary, rotations: [{id: w, members: [p00, p01, p02, p03, p04], length: 168h, start: \"2025-11-24T00:00:00\"}]}\n")
	b.WriteString("tokens:\n")
	for p := range benchPeople {
		fmt.Fprintf(&b, "  - {id: t%02d, secret: s%02d, scopes: [operate], person: p%02d}\n", p, p, p)
	}
	b.WriteString("services:\n")
	for s := range benchServices {
		fmt.Fprintf(&b, "  - {id: s%03d}\n", s)
	}
	b.WriteString("runbooks:\n")
	for s := range benchServices {
		fmt.Fprintf(&b, "  - {id: s%03d-post, on: [{manual: true}, {webhook: {key: k}}], steps: [{id: x, run: [\"true\"]}]}\n", s)
	}
	b.WriteString("toil:\n")
	for s := range benchServices {
		for _, a := range []string{"DiskFull", "DNSDown", "OrdersHigh"} {
			fmt.Fprintf(&b, "  - {id: s%03d-%s, title: %s on s%03d, service: s%03d, estimate: 15m, match: [{alert: ['alertname=\"%s\"']}]}\n", s, a, a, s, s, a)
		}
		fmt.Fprintf(&b, "  - {id: s%03d-deploy, title: Deploys of s%03d by hand, service: s%03d, estimate: 45m}\n", s, s, s)
		fmt.Fprintf(&b, "  - {id: s%03d-post, title: Post-start of s%03d, service: s%03d, estimate: 15m, match: [{runbook: s%03d-post, trigger: manual}], automated_by: s%03d-post}\n", s, s, s, s, s)
	}
	cfg, err := config.Parse("year.yml", []byte(b.String()), config.Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		tb.Fatal(err)
	}
	return cfg
}

// seedYear writes a year of the record for yearConfig: per service and
// week five paged alerts (three of items, two noise) each resolved within
// the hour, a run by hand and a logged deploy; daily automatic runs for a
// fifth of the services over the last half year; monthly approvals; a
// weekly incident with an action item; a deploy per service and week.
// About 26,000 alerts, 52,000 notifications, 9,000 runs, 5,200 logged
// entries, 5,200 deploys.
func seedYear(tb testing.TB, s *store.Store) {
	ctx := context.Background()
	start := yearEnd.Add(-52 * 7 * 24 * time.Hour)
	var alertID, noteID int64
	for week := range 52 {
		w0 := start.Add(time.Duration(week) * 7 * 24 * time.Hour)
		person := fmt.Sprintf("p%02d", week%5)
		var batch store.AlertBatch
		for sv := range benchServices {
			svc := fmt.Sprintf("s%03d", sv)
			for i, name := range []string{"DiskFull", "DNSDown", "OrdersHigh", "Noise1", "Noise2"} {
				alertID++
				at := w0.Add(time.Duration(i*30+sv%24) * time.Hour).Add(time.Duration(sv) * time.Minute)
				batch.Alerts = append(batch.Alerts, store.AlertRow{ID: alertID, DedupKey: fmt.Sprint("k", alertID), Source: "alertmanager",
					Integration: "am", Status: "resolved", Severity: "error", Summary: name + " on " + svc, Service: svc,
					Labels: map[string]string{"alertname": name}, Occurrences: 1, FirstSeen: at, LastSeen: at,
					ResolvedAt: at.Add(time.Duration(10+i*10) * time.Minute), ResolvedBy: "am", UpdatedAt: at})
				for _, n := range []struct {
					kind string
					at   time.Time
				}{{"firing", at}, {"resolved", at.Add(time.Duration(10+i*10) * time.Minute)}} {
					noteID++
					batch.Notifications = append(batch.Notifications, store.Notification{ID: noteID, CreatedAt: n.at, Kind: n.kind,
						Destination: "person/" + person + "/webhook", Message: []byte(`{}`), Status: store.NotifySent, AlertIDs: []int64{alertID}})
				}
			}
			at := w0.Add(time.Duration(100+sv%24) * time.Hour)
			if err := s.SaveRun(ctx, store.RunRow{ID: fmt.Sprintf("m%d-%d", week, sv), Runbook: svc + "-post", Status: store.RunSucceeded,
				Trigger: "manual", TriggeredBy: "token/t" + person[1:], Params: map[string]string{}, CreatedAt: at, StartedAt: at,
				EndedAt: at.Add(3 * time.Minute)}); err != nil {
				tb.Fatal(err)
			}
			if _, err := s.RecordDeploy(ctx, store.DeployRow{Service: svc, Version: fmt.Sprint("v", week), Environment: "production",
				By: "p05", At: w0.Add(130 * time.Hour)}); err != nil {
				tb.Fatal(err)
			}
			if _, err := s.AddToilEntry(ctx, store.ToilEntryRow{At: w0.Add(130 * time.Hour), Minutes: 45, Person: fmt.Sprintf("p%02d", 5+sv%5),
				Service: svc, Item: svc + "-deploy", Text: "Deployed by hand", Source: toil.SourceManual, CreatedBy: "token/t05", CreatedAt: w0}); err != nil {
				tb.Fatal(err)
			}
		}
		if err := s.WriteAlerts(ctx, batch); err != nil {
			tb.Fatal(err)
		}
		if week%4 == 0 {
			for sv := range benchServices {
				if _, err := s.AppendAudit(ctx, store.AuditRow{At: w0.Add(101 * time.Hour), Actor: "person/p01 (link)", Action: "run.approved",
					Runbook: fmt.Sprintf("s%03d-post", sv), RunID: fmt.Sprintf("m%d-%d", week, sv)}); err != nil {
					tb.Fatal(err)
				}
			}
		}
		in, err := s.CreateIncident(ctx, store.IncidentRow{Title: "Outage", Severity: "SEV2", Status: store.IncidentResolved,
			Services: []string{"s000"}, Roles: map[string]string{"commander": person}, StartedAt: w0.Add(50 * time.Hour),
			DeclaredAt: w0.Add(50 * time.Hour), ResolvedAt: w0.Add(52 * time.Hour), UpdatedAt: w0}, nil)
		if err != nil {
			tb.Fatal(err)
		}
		status := []string{"open", "done"}[week%2]
		if _, err := s.SaveActionItem(ctx, store.ActionItem{IncidentID: in.ID, Item: "Fix it for good", Type: "prevent", Status: status,
			CreatedAt: w0.Add(53 * time.Hour), UpdatedAt: w0.Add(60 * time.Hour)}); err != nil {
			tb.Fatal(err)
		}
	}
	for day := range 182 {
		at := yearEnd.Add(-time.Duration(182-day) * 24 * time.Hour).Add(4 * time.Hour)
		for sv := 0; sv < benchServices; sv += 5 {
			if err := s.SaveRun(ctx, store.RunRow{ID: fmt.Sprintf("a%d-%d", day, sv), Runbook: fmt.Sprintf("s%03d-post", sv),
				Status: store.RunSucceeded, Trigger: "webhook", TriggeredBy: "webhook", Params: map[string]string{}, CreatedAt: at,
				StartedAt: at, EndedAt: at.Add(time.Minute)}); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// BenchmarkToilYear measures the toil plan and the ranking over a year of
// data for 100 services: for a week, a month (the ranking's default) and
// the whole year, and the weekly status report of all 100 services for a
// week (toil is most of its cost), against the raw reads
// of that week as the baseline. The seeded database is kept between runs
// in VIGIL_BENCH_TOIL_DB when that names a file path.
//
//	go test -run XXX -bench ToilYear -benchtime 10x ./internal/toil/
func BenchmarkToilYear(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			dsn := e.Fresh(b)
			if p := os.Getenv("VIGIL_BENCH_TOIL_DB"); p != "" && e.Name == "sqlite" {
				dsn = "sqlite://" + p
			}
			s, err := store.Open(context.Background(), dsn, store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			if last, _ := s.LastReportRun(context.Background(), "seeded"); last.IsZero() {
				sw := clock.Start()
				seedYear(b, s)
				s.ClaimReportRun(context.Background(), store.ReportRunRow{Report: "seeded", Kind: "x", ScheduledAt: yearEnd, ClaimedAt: yearEnd})
				b.Logf("seeded a year in %v", sw.Elapsed())
			}
			if e.Name == "postgres" {
				analyze(b, dsn) // as autovacuum would have done by now in production
			}
			cfg := yearConfig(b)
			dir, err := oncall.NewDirectory(cfg)
			if err != nil {
				b.Fatal(err)
			}
			l := toil.New(toil.Deps{Store: s, Clock: clock.NewFake(yearEnd), Config: func() *config.Config { return cfg },
				Directory: func() *oncall.Directory { return dir }})
			ctx := context.Background()
			week := yearEnd.Add(-7 * 24 * time.Hour)
			b.Run("baseline-raw-reads-week", func(b *testing.B) {
				for b.Loop() {
					pages, err := s.PagesBetween(ctx, week, yearEnd)
					if err != nil {
						b.Fatal(err)
					}
					ids := make([]int64, len(pages))
					for i, p := range pages {
						ids[i] = p.AlertID
					}
					if _, err := s.AlertsByID(ctx, ids); err != nil {
						b.Fatal(err)
					}
					if _, err := s.RunsCreated(ctx, week, yearEnd); err != nil {
						b.Fatal(err)
					}
					if _, err := s.ToilEntries(ctx, store.ToilFilter{From: week, To: yearEnd, Limit: 100000}); err != nil {
						b.Fatal(err)
					}
				}
			})
			for _, c := range []struct {
				name string
				from time.Time
			}{
				{"plan-week", week},
				{"rank-30d", yearEnd.Add(-30 * 24 * time.Hour)},
				{"plan-year", yearEnd.Add(-364 * 24 * time.Hour)},
			} {
				b.Run(c.name, func(b *testing.B) {
					var md bytes.Buffer
					for b.Loop() {
						ov, err := l.Overview(ctx, c.from, yearEnd, nil)
						if err != nil {
							b.Fatal(err)
						}
						md.Reset()
						if err := toilplan.Markdown(&md, ov, time.UTC); err != nil {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(md.Len())/1024, "KiB-plan")
				})
			}
			svcs := slo.New(slo.Options{Clock: clock.NewFake(yearEnd), Store: s, CheckIDs: func() map[string]int64 { return nil }})
			svcs.Apply(cfg)
			b.Run("weekly-report-week", func(b *testing.B) {
				var md bytes.Buffer
				for b.Loop() {
					rep, err := weekly.Build(ctx, weekly.Deps{Store: s, Toil: l, SLOs: svcs},
						weekly.Options{Config: cfg, From: week, To: yearEnd, Now: yearEnd, Loc: time.UTC})
					if err != nil {
						b.Fatal(err)
					}
					md.Reset()
					if err := weekly.Markdown(&md, rep, weekly.Render{Loc: time.UTC, Base: "https://vigil.example", Config: cfg}); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(md.Len())/1024, "KiB-report")
			})
			b.Run("plan-week-one-service", func(b *testing.B) {
				for b.Loop() {
					if _, err := l.Overview(ctx, week, yearEnd, []string{"s042"}); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run("entries-week", func(b *testing.B) {
				for b.Loop() {
					if _, err := l.Entries(ctx, toil.Query{From: week, To: yearEnd}); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// analyze refreshes Postgres' statistics after the bulk seeding.
func analyze(tb testing.TB, dsn string) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("ANALYZE"); err != nil {
		tb.Fatal(err)
	}
}
