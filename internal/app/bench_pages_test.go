package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/auth/password"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// BenchmarkAlertPages: the alert list and the alert page with 100,000
// alerts stored (half open, a tenth of those silenced), as a signed-in
// person loads them, sequentially on the real clock. Reports p50 and p99
// per page and the list's weight; the JSON API's first page of the same
// alerts, in the same run, is the baseline.
//
//	go test -run '^$' -bench AlertPages -benchtime 200x ./internal/app/
func BenchmarkAlertPages(b *testing.B) {
	const total = 100_000
	dir := b.TempDir()
	dsn := "sqlite://" + filepath.Join(dir, "vigil.db")
	fillAlerts(b, dsn, total)
	hash, err := password.Hash("bench-password")
	if err != nil {
		b.Fatal(err)
	}
	cfg := fmt.Sprintf(`
people: [{id: ann, name: Ann, password_hash: %q}]
auth: {access: [{person: ann, scopes: [respond]}]}
tokens: [{id: reader, secret: bench-t0ken, scopes: [read]}]
services: [{id: shop}, {id: db}]
`, hash)
	path := filepath.Join(dir, "vigil.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		b.Fatal(err)
	}
	a, err := Start(context.Background(), Options{ConfigPath: path, Listen: "127.0.0.1:0", Store: dsn, Clock: clock.Real(),
		Log: slog.New(slog.DiscardHandler), LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	client := benchLogin(b, a.URL(), "ann", "bench-password")

	pages := []struct{ name, path string }{
		{"api-first-page-baseline", "/api/v1/alerts?status=open&limit=200"},
		{"list-open", "/alerts"},
		{"list-all", "/alerts?status=all"},
		{"list-service-severity", "/alerts?service=db&severity=warning"},
		{"list-text", "/alerts?q=db-77"},
		{"list-silenced", "/alerts?status=silenced"},
		{"alert-page", fmt.Sprintf("/alerts/%d", total-10)},
		{"volume-14d", "/alerts/volume"},
		{"volume-90d", "/alerts/volume?days=90"},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			var size int
			for i := 0; i < b.N; i++ {
				var took time.Duration
				took, size = timedGet(b, client, a.URL()+pg.path, "bench-t0ken")
				lat = append(lat, took)
			}
			reportLatency(b, lat, false)
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
	// What a browser fetches for the list besides the page itself.
	for _, asset := range []string{"/static/style.css", "/static/favicon.svg"} {
		resp, err := client.Get(a.URL() + asset)
		if err != nil {
			b.Fatal(err)
		}
		n, _ := io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		b.Logf("%s: %.1f KiB", asset, float64(n)/1024)
	}
}

// fillAlerts stores n alerts straight into a new store: every other one
// resolved, services shop and db, four severities, and a tenth of the open
// ones silenced (as the pager's log records it).
func fillAlerts(b *testing.B, dsn string, n int) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	t0 := time.Now().Add(-30 * 24 * time.Hour)
	sev := []string{"critical", "error", "warning", "info"}
	var logID int64
	for start := 1; start <= n; start += 1000 {
		var batch store.AlertBatch
		for i := start; i < start+1000 && i <= n; i++ {
			at := t0.Add(time.Duration(i) * 20 * time.Second)
			svc := []string{"shop", "db"}[(i/2)%2]
			r := store.AlertRow{ID: int64(i), DedupKey: fmt.Sprintf("generic/gen/k%d", i), Source: "generic", Integration: "gen",
				Status: "firing", Severity: sev[i%4], Summary: fmt.Sprintf("Disk filling on %s-%d", svc, i%1000), Service: svc,
				Labels:      map[string]string{"alertname": "DiskFull", "host": fmt.Sprintf("%s-%d", svc, i%1000), "service": svc},
				Annotations: map[string]string{"description": "95% used"}, Occurrences: 1, FirstSeen: at, LastSeen: at, UpdatedAt: at}
			if i%2 == 0 {
				r.Status, r.ResolvedAt, r.ResolvedBy = "resolved", at.Add(time.Minute), "person/ann"
			}
			batch.Alerts = append(batch.Alerts, r)
			logID++
			batch.Log = append(batch.Log, store.AlertLog{ID: logID, AlertID: r.ID, At: at, Kind: "fired", Actor: "generic/gen", Detail: r.Summary})
			if i%20 == 1 {
				logID++
				batch.Log = append(batch.Log, store.AlertLog{ID: logID, AlertID: r.ID, At: at, Kind: "suppressed", Actor: "vigil", Detail: "silenced by bench"})
			}
		}
		if err := st.WriteAlerts(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}
}

// benchLogin signs in through the form and returns a client holding the
// session.
func benchLogin(b *testing.B, base, name, pw string) *http.Client {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	if resp, _ := formSignIn(b, c, base, name, pw, "/"); resp.Request.URL.Path != "/" {
		b.Fatalf("sign-in ended at %s (%d)", resp.Request.URL, resp.StatusCode)
	}
	return c
}
