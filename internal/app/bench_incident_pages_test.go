package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/auth/password"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// Sizes of the incident pages benchmark: a year of a busy team's record.
const (
	benchServices          = 20
	benchAlerts            = 100_000
	benchIncidents         = 1_000
	benchTimeline          = 50 // own entries per incident: declaration, roles, statuses, notes, chat
	benchLinked            = 3  // alerts per incident, each with its log and two pages
	benchEvents            = 10_000
	benchDeploysPerService = 100
)

// BenchmarkIncidentPages: the incident page, the incident list, the
// postmortem, MTTA/MTTR and the deploys list with 100,000 alerts and 1,000
// incidents stored (each with 50 entries of its own, 3 linked alerts with
// their logs and pages), 10,000 check state changes and 2,000 deploys, as a
// signed-in person loads them, one request at a time on the real clock.
// Each sub-benchmark reports p50 and p99; the API's answer for the same
// incident (the same timeline, as JSON) is the baseline, in the same run.
//
//	go test -run '^$' -bench IncidentPages -benchtime 200x -count 5 ./internal/app/
func BenchmarkIncidentPages(b *testing.B) {
	dir := b.TempDir()
	dsn := "sqlite://" + filepath.Join(dir, "vigil.db")
	now := clock.Real().Now()
	fillIncidentRecord(b, dsn, now)
	hash, err := password.Hash("bench-password")
	if err != nil {
		b.Fatal(err)
	}
	var svcs strings.Builder
	for i := range benchServices {
		fmt.Fprintf(&svcs, "  - {id: svc-%d}\n", i)
	}
	cfg := fmt.Sprintf(`
people: [{id: ann, name: Ann, password_hash: %q}]
auth: {access: [{person: ann, scopes: [respond]}]}
tokens: [{id: reader, secret: bench-t0ken, scopes: [read]}]
services:
%s`, hash, svcs.String())
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
	client := signedIn(b, a.URL(), "ann", "bench-password")

	// Incidents in turn, so no one incident's rows stay hot in a cache.
	ids := func(i int) int { return (i*37)%benchIncidents + 1 }
	pages := []struct {
		name string
		path func(i int) string
	}{
		{"api-incident-baseline", func(i int) string { return fmt.Sprintf("/api/v1/incidents/%d", ids(i)) }},
		{"incident-page", func(i int) string { return fmt.Sprintf("/incidents/%d", ids(i)) }},
		{"incident-list", func(int) string { return "/incidents" }},
		{"incident-list-service", func(i int) string { return fmt.Sprintf("/incidents?service=svc-%d&status=all", i%benchServices) }},
		{"postmortem-page", func(i int) string { return fmt.Sprintf("/incidents/%d/postmortem", ids(i)) }},
		{"metrics-30d", func(int) string { return "/incidents/metrics?period=30d" }},
		{"deploys", func(int) string { return "/deploys" }},
	}
	for _, pg := range pages {
		b.Run(pg.name, func(b *testing.B) {
			lat := make([]time.Duration, 0, b.N)
			var size int
			for i := 0; i < b.N; i++ {
				var took time.Duration
				took, size = timedGet(b, client, a.URL()+pg.path(i), "bench-t0ken")
				lat = append(lat, took)
			}
			reportLatency(b, lat, false)
			b.ReportMetric(float64(size)/1024, "KiB")
		})
	}
}

// fillIncidentRecord stores the benchmark's record straight into a new
// store, spread over the 30 days before now.
func fillIncidentRecord(b *testing.B, dsn string, now time.Time) {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	start := now.Add(-30 * 24 * time.Hour)
	span := now.Sub(start) - time.Hour
	svc := func(i int) string { return fmt.Sprintf("svc-%d", i%benchServices) }

	// Checks and their state changes.
	var refs []store.CheckRef
	for i := range benchServices * 5 {
		refs = append(refs, store.CheckRef{Service: svc(i), Name: fmt.Sprintf("check-%d", i), Kind: "http"})
	}
	checkIDs, err := st.RegisterChecks(ctx, refs)
	if err != nil {
		b.Fatal(err)
	}
	var events []store.Event
	for i := range benchEvents {
		ref := refs[i%len(refs)]
		from, to := "ok", "failing"
		if i%2 == 1 {
			from, to = to, from
		}
		events = append(events, store.Event{CheckID: checkIDs[store.CheckKey(ref.Service, ref.Name)], At: start.Add(span * time.Duration(i) / benchEvents),
			From: from, To: to, Reason: "status == 200 — status=503"})
	}
	if err := st.WriteBatch(ctx, store.Batch{Events: events}, 10); err != nil {
		b.Fatal(err)
	}

	// Alerts: every other one resolved; those incidents link have pages.
	linked := benchIncidents * benchLinked
	var logID, noteID int64
	for first := 1; first <= benchAlerts; first += 1000 {
		var batch store.AlertBatch
		for i := first; i < first+1000 && i <= benchAlerts; i++ {
			at := start.Add(span * time.Duration(i) / benchAlerts)
			r := store.AlertRow{ID: int64(i), DedupKey: fmt.Sprintf("generic/gen/k%d", i), Source: "generic", Integration: "gen",
				Status: "firing", Severity: "critical", Summary: fmt.Sprintf("Error rate high on %s-%d", svc(i), i%500), Service: svc(i),
				Labels: map[string]string{"alertname": "ErrorRate", "service": svc(i)}, Occurrences: 1, FirstSeen: at, LastSeen: at, UpdatedAt: at}
			logID++
			batch.Log = append(batch.Log, store.AlertLog{ID: logID, AlertID: r.ID, At: at, Kind: "fired", Actor: "generic/gen", Detail: r.Summary})
			if i%2 == 0 || i <= linked {
				r.Status, r.AckedAt, r.AckedBy, r.ResolvedAt, r.ResolvedBy = "resolved", at.Add(3*time.Minute), "person/ann", at.Add(40*time.Minute), "person/ann"
				logID++
				batch.Log = append(batch.Log, store.AlertLog{ID: logID, AlertID: r.ID, At: r.AckedAt, Kind: "acknowledged", Actor: "person/ann"})
				logID++
				batch.Log = append(batch.Log, store.AlertLog{ID: logID, AlertID: r.ID, At: r.ResolvedAt, Kind: "resolved", Actor: "person/ann"})
			}
			if i <= linked {
				for _, dest := range []string{"person/ann/slack", "person/ann/sms"} {
					noteID++
					batch.Notifications = append(batch.Notifications, store.Notification{ID: noteID, CreatedAt: at, GroupKey: "g" + r.DedupKey,
						Kind: "firing", Destination: dest, Message: []byte(`{}`), Status: "sent", Attempts: 1, SentAt: at.Add(time.Second), AlertIDs: []int64{r.ID}})
				}
			}
			batch.Alerts = append(batch.Alerts, r)
		}
		if err := st.WriteAlerts(ctx, batch); err != nil {
			b.Fatal(err)
		}
	}

	// Incidents, each with its own timeline and three alerts.
	statuses := []string{store.IncidentInvestigating, store.IncidentIdentified, store.IncidentMonitoring, store.IncidentResolved}
	for n := range benchIncidents {
		began := start.Add(span * time.Duration(n) / benchIncidents)
		in := store.IncidentRow{Title: fmt.Sprintf("Checkout errors on %s", svc(n)), Severity: fmt.Sprintf("SEV%d", n%4+1),
			Status: statuses[3], Services: []string{svc(n)}, Summary: "Customers see errors at checkout.",
			Roles: map[string]string{"commander": "ann"}, DeclaredBy: "person/ann", StartedAt: began, DetectedAt: began,
			DeclaredAt: began.Add(5 * time.Minute), AcknowledgedAt: began.Add(3 * time.Minute), IdentifiedAt: began.Add(20 * time.Minute),
			MitigatedAt: began.Add(35 * time.Minute), ResolvedAt: began.Add(50 * time.Minute), UpdatedAt: began.Add(50 * time.Minute)}
		if n%10 < 3 { // the recent-looking ones still open
			in.Status, in.MitigatedAt, in.ResolvedAt = statuses[n%3], time.Time{}, time.Time{}
		}
		var tl []store.TimelineEntry
		for k := range benchTimeline {
			e := store.TimelineEntry{At: began.Add(time.Duration(k) * time.Minute), Kind: "chat", Actor: fmt.Sprintf("person-%d", k%6),
				Text: fmt.Sprintf("Looking at the logs of %s: request %d failed with a timeout talking to the database", svc(n), k)}
			switch {
			case k == 0:
				e.Kind, e.Actor, e.Text = "declared", "person/ann", "SEV2 declared: "+in.Title
			case k%10 == 5:
				e.Kind, e.Actor, e.Text = "note", "person/ann", "Rolled back the last deploy; watching the error rate"
			case k%17 == 3:
				e.Kind, e.Actor, e.Text = "status", "person/ann", "status: "+statuses[k%4]
			}
			tl = append(tl, e)
		}
		row, err := st.CreateIncident(ctx, in, tl)
		if err != nil {
			b.Fatal(err)
		}
		alerts := make([]int64, benchLinked)
		for k := range alerts {
			alerts[k] = int64(n*benchLinked + k + 1)
		}
		if err := st.LinkAlerts(ctx, row.ID, alerts); err != nil {
			b.Fatal(err)
		}
	}
	for i := range benchServices * benchDeploysPerService {
		if _, err := st.RecordDeploy(ctx, store.DeployRow{Service: svc(i), Version: fmt.Sprintf("2026.%d", i), Environment: "production",
			By: "ci", At: start.Add(span * time.Duration(i) / (benchServices * benchDeploysPerService)), Notes: "pipeline 42"}); err != nil {
			b.Fatal(err)
		}
	}
}

// signedIn signs in through the sign-in form and returns a client that
// holds the session, as a browser would.
func signedIn(b *testing.B, base, name, pw string) *http.Client {
	b.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second}
	resp, err := c.Get(base + "/login")
	if err != nil {
		b.Fatal(err)
	}
	form, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginTokenField.FindStringSubmatch(string(form))
	if m == nil {
		b.Fatalf("no sign-in form: %.300s", form)
	}
	resp, err = c.PostForm(base+"/login", url.Values{"login_token": {m[1]}, "name": {name}, "password": {pw}})
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	u, _ := url.Parse(base)
	if len(jar.Cookies(u)) == 0 {
		b.Fatalf("signing in as %s set no cookie (%d)", name, resp.StatusCode)
	}
	return c
}
