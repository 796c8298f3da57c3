package app

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/auth/password"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// BenchmarkRunbookPages: the runbook pages for a signed-in person, with
// 10,000 runs (a tenth of them waiting for approval, 1,000 of them dry
// runs) of 20 runbooks and 20,000 audit entries stored. Each iteration
// reads every page once; the API's run list (200 runs as JSON) is the
// baseline measured in the same run.
//
//	go test -run '^$' -bench RunbookPages -benchtime 50x ./internal/app/
func BenchmarkRunbookPages(b *testing.B) {
	dir := b.TempDir()
	hash, err := password.Hash("thach-password")
	if err != nil {
		b.Fatal(err)
	}
	var books strings.Builder
	for i := range 20 {
		fmt.Fprintf(&books, `
  - id: book-%d
    title: Runbook %d
    params: [{name: host, pattern: "[a-z0-9.-]+", default: web-1}, {name: days, type: int, default: "14"}]
    guard: {approval: required, approvers: [team/dba], max_runs: 5, concurrency: 1}
    steps: [{id: a, run: ["true"]}, {id: b, run: ["true"]}]`, i, i)
	}
	cfg := fmt.Sprintf(`
people: [{id: thach, password_hash: %q}, {id: glen, password_hash: %q}]
teams: [{id: dba, members: [thach, glen]}]
auth: {access: [{team: dba, scopes: [operate]}]}
tokens: [{id: root, secret: r00t-t0ken, scopes: [admin]}]
runbooks:%s
`, hash, hash, books.String())
	a := startBench(b, dir, cfg)
	defer a.Close()
	ctx := context.Background()
	now := clock.Real().Now()
	var lastRun string
	for i := range 10000 {
		r := store.RunRow{ID: fmt.Sprintf("r_bench%06d", i), Runbook: fmt.Sprintf("book-%d", i%20), Status: store.RunSucceeded,
			Trigger: "manual", TriggeredBy: "person/glen", Params: map[string]string{"host": "web-1", "days": "14"},
			CreatedAt: now.Add(time.Duration(i-10000) * time.Second), DryRun: i%10 == 3}
		if i%10 == 5 {
			r.Status = store.RunAwaiting // in the store only: the engine is not waiting for these
		}
		if err := a.store.SaveRun(ctx, r); err != nil {
			b.Fatal(err)
		}
		for j := range 2 {
			if _, err := a.store.AppendAudit(ctx, store.AuditRow{At: r.CreatedAt.Add(time.Duration(j) * time.Millisecond), Actor: "person/glen",
				Action: "run.triggered", Runbook: r.Runbook, RunID: r.ID, Detail: "trigger=manual params={days=14, host=web-1}"}); err != nil {
				b.Fatal(err)
			}
		}
		lastRun = r.ID
	}
	for seq := range 20 {
		if err := a.store.SaveStep(ctx, store.StepRow{RunID: lastRun, Seq: seq, StepID: fmt.Sprintf("s%d", seq), Kind: "run", Status: "ok",
			Stdout: strings.Repeat("output line\n", 100), Detail: `{"argv":["true"]}`, StartedAt: now, EndedAt: now}); err != nil {
			b.Fatal(err)
		}
	}
	client := benchLogin(b, a.URL(), "thach", "thach-password")
	pages := []string{"/api/v1/runs?limit=200", "/runbooks", "/runbooks/book-3", "/runs", "/runs?runbook=book-3&status=succeeded&dry=hide",
		"/runs?awaiting=me", "/runs/" + lastRun, "/audit", "/audit?runbook=book-3"}
	lat := map[string][]time.Duration{}
	size := map[string]int{}
	get := func(p string) {
		took, n := timedGet(b, client, a.URL()+p, "r00t-t0ken")
		lat[p] = append(lat[p], took)
		size[p] = n
	}
	b.ResetTimer()
	for range b.N {
		for _, p := range pages {
			get(p)
		}
	}
	b.StopTimer()
	if b.N < 2 {
		return // the probe run; go test logs only the first ten lines of each
	}
	for _, p := range pages {
		l := lat[p]
		sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
		b.Logf("n=%d %-50s p50 %7.1f ms  p99 %7.1f ms  %6.1f KiB", len(l), p, ms(l[len(l)/2]), ms(l[len(l)*99/100]), float64(size[p])/1024)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
