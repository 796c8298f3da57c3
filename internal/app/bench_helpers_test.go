package app

import (
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/bench"
	"github.com/vigil-sre/vigil/internal/clock"
)

// timedGet GETs url with client, with token as a bearer on API paths, and
// returns how long the answer took and how large it was; an answer other
// than 200 fails b.
func timedGet(b *testing.B, client *http.Client, url, token string) (time.Duration, int) {
	b.Helper()
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		b.Fatal(err)
	}
	if strings.HasPrefix(req.URL.Path, "/api/") {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	sw := clock.Start()
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	took := sw.Elapsed()
	if resp.StatusCode != 200 {
		b.Fatalf("%s: %d %.300s", url, resp.StatusCode, body)
	}
	return took, len(body)
}

// reportLatency reports the p50 and p99 of lat in milliseconds, and its
// maximum when withMax; it sorts lat.
func reportLatency(b *testing.B, lat []time.Duration, withMax bool) {
	slices.Sort(lat)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(lat[len(lat)/2]), "ms-p50")
	b.ReportMetric(ms(lat[len(lat)*99/100]), "ms-p99")
	if withMax {
		b.ReportMetric(ms(lat[len(lat)-1]), "ms-max")
	}
}

// --vigil names the build 'vigil bench alerts' measures, side by side with
// Alertmanager too, where it was once ignored.
func TestBenchMeasuresTheVigilFlag(t *testing.T) {
	opt := bench.AlertsOptions{Binary: "/usr/bin/vigil", Serve: "./vigil-new", Clients: 8, Batch: 50}
	if got := versusOptions(opt, "./alertmanager", 3, nil, "").Binary; got != "./vigil-new" {
		t.Fatalf("with --vigil measured %q", got)
	}
	opt.Serve = ""
	if got := versusOptions(opt, "./alertmanager", 3, nil, "").Binary; got != "/usr/bin/vigil" {
		t.Fatalf("without --vigil measured %q", got)
	}
}
