package console

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/notify"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var at = time.Date(2026, 11, 27, 22, 4, 0, 0, time.UTC)

func TestGolden(t *testing.T) {
	hcm := time.FixedZone("+07", 7*3600)
	cases := []struct {
		name string
		opts []Option
		m    notify.Message
	}{
		{name: "firing", m: firing()},
		{name: "firing-with-links", opts: []Option{WithActionLinks()}, m: firing()},
		{name: "resolved", m: func() notify.Message {
			m := firing()
			m.Kind, m.Title, m.Step = notify.KindResolved, "[RESOLVED] shop: Homepage down", 0
			m.Alerts = m.Alerts[:1]
			m.Alerts[0].Status, m.Alerts[0].State, m.Alerts[0].Reason = "resolved", "ok", "2 passes in a row"
			return m
		}()},
		{name: "handoff", m: notify.Message{Kind: notify.KindHandoff, Title: "On call: sre-primary", At: at,
			URL: "https://vigil.example/oncall/sre-primary",
			Handoff: &notify.Handoff{Schedule: "sre-primary", Person: "thach",
				From: time.Date(2026, 11, 30, 9, 0, 0, 0, hcm), Until: time.Date(2026, 12, 7, 9, 0, 0, 0, hcm)}}},
		{name: "incident", m: notify.Message{Kind: notify.KindIncident, Title: "Incident 3 declared: Checkout down", At: at,
			Text: "SEV1, investigating. Services: shop.", URL: "https://vigil.example/incidents/3"}},
		{name: "test", m: notify.Message{Kind: notify.KindTest, Title: "Test from Vigil", Text: "If you can read this,\nthe console channel works.", At: at}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var buf bytes.Buffer
			d := notify.Destination{Type: notify.Console, Name: "person/thach (console)"}
			if err := New(&buf, c.opts...).Send(context.Background(), d, c.m); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", c.name+".golden"), buf.Bytes())
		})
	}
}

func TestActionLinksAreOptIn(t *testing.T) {
	var plain, linked bytes.Buffer
	d := notify.Destination{Type: notify.Console, Name: "x"}
	New(&plain).Send(context.Background(), d, firing())
	New(&linked, WithActionLinks()).Send(context.Background(), d, firing())
	if strings.Contains(plain.String(), "/ack?") {
		t.Error("ack URL written without WithActionLinks")
	}
	if !strings.Contains(linked.String(), "acknowledge: https://vigil.example/a/42/ack?t=sig") {
		t.Error("ack URL missing with WithActionLinks")
	}
}

// TestBlocksDoNotInterleave sends from many goroutines and checks each
// block arrives whole.
func TestBlocksDoNotInterleave(t *testing.T) {
	var buf bytes.Buffer
	s := New(&buf)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			s.Send(context.Background(), notify.Destination{Name: "x"}, firing())
		})
	}
	wg.Wait()
	var one bytes.Buffer
	New(&one).Send(context.Background(), notify.Destination{Name: "x"}, firing())
	if want := strings.Repeat(one.String(), 20); buf.String() != want {
		t.Error("blocks interleaved")
	}
}

type brokenWriter struct{}

func (brokenWriter) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }

func TestWriteErrorIsPermanent(t *testing.T) {
	err := New(brokenWriter{}).Send(context.Background(), notify.Destination{Name: "x"}, firing())
	if err == nil || !strings.Contains(err.Error(), "broken pipe") {
		t.Fatalf("err = %v", err)
	}
	if retry, _ := notify.Retry(err); retry {
		t.Error("a write error is retryable")
	}
}

func firing() notify.Message {
	return notify.Message{
		Kind: notify.KindEscalation, Title: "[FIRING:2] shop: Homepage down", Service: "shop", Step: 2,
		URL: "https://vigil.example/alerts?group=7", At: at,
		Alerts: []notify.Alert{
			{ID: 42, Status: "firing", Severity: "critical", Summary: "Homepage down", Service: "shop",
				State: "failing", Reason: "status == 200 failed (status=503)",
				Labels: map[string]string{"alertname": "HomepageDown", "instance": "web-1", "severity": "critical"},
				Since:  at.Add(-72 * time.Minute), Occurrences: 3,
				URL: "https://vigil.example/alerts/42", AckURL: "https://vigil.example/a/42/ack?t=sig", ResolveURL: "https://vigil.example/a/42/resolve?t=sig",
				Links:   []notify.Link{{Href: "https://grafana.example/d/shop", Text: "Dashboard"}},
				Runbook: &notify.Runbook{ID: "app-down", Title: "App down", Doc: "# App down\n1. Check the pods.", URL: "https://vigil.example/runbooks/app-down"}},
			{ID: 43, Status: "acknowledged", Severity: "warning", Summary: "Checkout latency high", Service: "shop",
				Since: at.Add(-5 * time.Minute), Occurrences: 1, URL: "https://vigil.example/alerts/43"},
		},
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs; run go test -update and review the diff\ngot:\n%s", path, got)
	}
}
