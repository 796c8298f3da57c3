package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// AlertsOptions configure the alert benchmark.
type AlertsOptions struct {
	Binary        string
	Serve         string        // the vigil to measure; Binary when empty
	Alerts        int           // distinct alerts to open
	PerGroup      int           // alerts per notification group
	Batch         int           // alerts per webhook request
	Clients       int           // concurrent senders
	Duration      time.Duration // sustained phase
	LatencyAlerts int           // alerts paged one by one in the latency phase
	// LatencyLoad, when above 0, keeps new alerts coming during the
	// latency phase at this fraction of the rate new alerts were opened at.
	LatencyLoad float64
	Store       string
	Log         io.Writer
	Profiles    Profiles // what vigil serve records of its run
}

// Measured is the vigil binary run as 'vigil serve': Serve, or Binary when
// Serve is empty.
func (o AlertsOptions) Measured() string {
	if o.Serve != "" {
		return o.Serve
	}
	return o.Binary
}

// AlertsReport is what the alert benchmark found.
type AlertsReport struct {
	Alerts          int     `json:"alerts"`
	Groups          int     `json:"groups"`
	Batch           int     `json:"batch"`
	BaselinePerSec  float64 `json:"baseline_alerts_per_second"`
	NewPerSec       float64 `json:"new_alerts_per_second"`
	SustainedPerSec float64 `json:"sustained_alerts_per_second"`
	RequestP50Ms    float64 `json:"request_p50_ms"`
	RequestP99Ms    float64 `json:"request_p99_ms"`
	Errors          int64   `json:"errors"`
	CPUCores        float64 `json:"cpu_cores_sustained"`
	OpenAlerts      int     `json:"open_alerts"`
	RSSMiB          float64 `json:"rss_mib_open"`
	PeakRSSMiB      float64 `json:"peak_rss_mib"`
	ListP50Ms       float64 `json:"list_p50_ms"`
	ListP99Ms       float64 `json:"list_p99_ms"`
	// ListQueries break the list latency down by the query timed.
	ListQueries     []ListQuery `json:"list_queries"`
	DeliveryP50Ms   float64     `json:"delivery_p50_ms"`
	DeliveryP99Ms   float64     `json:"delivery_p99_ms"`
	DeliveryMaxMs   float64     `json:"delivery_max_ms"`
	DeliverySamples int         `json:"delivery_samples"`
	// BackgroundPerSec is the rate of new alerts sent alongside the timed
	// ones (LatencyLoad), as achieved.
	BackgroundPerSec float64 `json:"background_alerts_per_second"`
}

// alertsConfig routes the throughput alerts into groups that wait an hour (so
// the run measures ingestion) and the latency alerts into groups of one that
// page at once (group_wait 0s) through a webhook to the target.
func alertsConfig(target string) []byte {
	return []byte(readerTokens + fmt.Sprintf(`
integrations:
  - {id: bench, type: alertmanager, key: bench-key}
people:
  - {id: oncall, contacts: {webhook: "%s/hook"}}
escalations:
  - {id: bench, steps: [{notify: [person/oncall]}]}
routes:
  - {match: {bench: load}, escalation: bench, group_by: [alertname], group_wait: 1h, group_interval: 1h, repeat_interval: 24h}
  - {match: {bench: latency}, escalation: bench, group_by: [alertname], group_wait: 0s, group_interval: 1h, repeat_interval: 24h}
services:
  - {id: bench}
`, target))
}

// RunAlerts measures ingestion throughput with every 2xx durable, memory and
// list latency with the alerts open, and the delay from ingestion to the
// notification reaching its channel.
func RunAlerts(ctx context.Context, opt AlertsOptions) (AlertsReport, error) {
	rep := AlertsReport{Alerts: opt.Alerts, Groups: opt.Alerts / opt.PerGroup, Batch: opt.Batch}
	logf := func(format string, args ...any) { fmt.Fprintf(opt.Log, format+"\n", args...) }
	dir, err := os.MkdirTemp("", "vigil-bench-alerts-")
	if err != nil {
		return rep, err
	}
	defer os.RemoveAll(dir)
	store := opt.Store
	if store == "" {
		store = "sqlite://" + filepath.Join(dir, "bench.db")
	}
	target, stopTarget, err := startChild(ctx, opt.Binary, []string{"bench", "target", "--listen", "127.0.0.1:0"}, `http://\S+`, nil)
	if err != nil {
		return rep, err
	}
	defer stopTarget()

	// Baseline: the same batches posted to a receiver that only parses them.
	base := load{url: target.url + "/baseline", key: "x", clients: opt.Clients, batch: opt.Batch, from: 0, to: opt.Alerts,
		perGroup: opt.PerGroup, kind: "load", status: "firing"}.post(ctx)
	rep.BaselinePerSec = base.perSecond()
	logf("baseline: a receiver that only parses the batches takes %.0f alerts/s", rep.BaselinePerSec)

	cfgPath := filepath.Join(dir, "bench.yaml")
	if err := os.WriteFile(cfgPath, alertsConfig(target.url), 0o600); err != nil {
		return rep, err
	}
	addr, err := freeAddr()
	if err != nil {
		return rep, err
	}
	args := append([]string{"serve", "--config", cfgPath, "--listen", addr, "--store", store}, opt.Profiles.serveArgs()...)
	vigil, stopVigil, err := startChild(ctx, opt.Measured(), args, `http://\S+`, opt.Log)
	if err != nil {
		return rep, err
	}
	defer stopVigil()
	url := vigil.url + "/api/v1/integrations/alertmanager"
	sampler := newSampler(vigil.pid)
	go sampler.run(ctx)
	defer sampler.stop()

	fresh := load{url: url, key: "bench-key", clients: opt.Clients, batch: opt.Batch, from: 0, to: opt.Alerts,
		perGroup: opt.PerGroup, kind: "load", status: "firing"}.post(ctx)
	rep.NewPerSec, rep.Errors = fresh.perSecond(), fresh.errors
	logf("opened %d alerts in %d groups: %.0f alerts/s", fresh.alerts, rep.Groups, rep.NewPerSec)

	// Sustained: Alertmanager resending the firing groups, as it does every
	// group_interval; each resend is stored before it is answered.
	cpu0 := sampler.now()
	sctx, cancel := context.WithTimeout(ctx, opt.Duration)
	sus := load{url: url, key: "bench-key", clients: opt.Clients, batch: opt.Batch, from: 0, cycle: opt.Alerts,
		perGroup: opt.PerGroup, kind: "load", status: "firing"}.post(sctx)
	cancel()
	cpu1 := sampler.now()
	rep.SustainedPerSec, rep.Errors = sus.perSecond(), rep.Errors+sus.errors
	rep.RequestP50Ms, rep.RequestP99Ms = ms(sus.p50), ms(sus.p99)
	rep.CPUCores = (cpu1.cpu - cpu0.cpu).Seconds() / sus.elapsed.Seconds()
	logf("sustained: %.0f alerts/s, request p99 %.1f ms, %.2f cores", rep.SustainedPerSec, rep.RequestP99Ms, rep.CPUCores)

	client := readerClient(30 * time.Second)
	rep.OpenAlerts, err = openAlerts(client, vigil.url)
	if err != nil {
		return rep, err
	}
	rep.RSSMiB = float64(cpu1.rss) / (1 << 20)
	rep.ListP50Ms, rep.ListP99Ms, rep.ListQueries, err = listLatency(client, vigil.url, listRounds)
	if err != nil {
		return rep, err
	}
	logf("%d alerts open: RSS %.0f MiB, GET /api/v1/alerts p99 %.1f ms", rep.OpenAlerts, rep.RSSMiB, rep.ListP99Ms)
	for _, q := range rep.ListQueries {
		logf("  %s: p50 %.1f ms, p99 %.1f ms", q.Path, q.P50Ms, q.P99Ms)
	}

	// Latency: alerts that each page at once, sent one by one at a steady
	// pace; the target times each from its send to its delivery.
	lat := load{url: url, key: "bench-key", clients: 1, batch: 1, from: 0, to: opt.LatencyAlerts, perGroup: 1, kind: "latency", status: "firing"}
	bgDone := make(chan loadResult, 1)
	bctx, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	if opt.LatencyLoad > 0 {
		// New alerts (indexes past the opened ones) into the hour-long
		// groups, at the given share of the rate alerts were opened at.
		bg := load{url: url, key: "bench-key", clients: opt.Clients, batch: opt.Batch, from: opt.Alerts,
			perGroup: opt.PerGroup, kind: "load", status: "firing", rate: opt.LatencyLoad * rep.NewPerSec}
		go func() { bgDone <- bg.post(bctx) }()
	} else {
		bgDone <- loadResult{}
	}
	pace := time.NewTicker(5 * time.Millisecond)
	for i := 0; i < opt.LatencyAlerts && ctx.Err() == nil; i++ {
		<-pace.C
		one := lat
		one.from, one.to = i, i+1
		one.post(ctx)
	}
	pace.Stop()
	stopBackground()
	if bg := <-bgDone; bg.alerts > 0 {
		rep.BackgroundPerSec = bg.perSecond()
		logf("background: %.0f new alerts/s during the latency phase", rep.BackgroundPerSec)
	}
	deadline := wall.Now().Add(30 * time.Second)
	var sink SinkReport
	for wall.Now().Before(deadline) {
		if err := getJSON(client, target.url+"/stats", &sink); err == nil && sink.Samples >= opt.LatencyAlerts {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	rep.DeliveryP50Ms, rep.DeliveryP99Ms, rep.DeliveryMaxMs, rep.DeliverySamples = sink.P50Ms, sink.P99Ms, sink.MaxMs, sink.Samples
	rep.PeakRSSMiB = float64(sampler.now().peakRSS) / (1 << 20)
	logf("delivery: p50 %.1f ms, p99 %.1f ms over %d alerts (sink saw %d deliveries, %d alerts)", rep.DeliveryP50Ms, rep.DeliveryP99Ms, rep.DeliverySamples, sink.Deliveries, sink.Alerts)
	return rep, nil
}

func openAlerts(c *http.Client, url string) (int, error) {
	resp, err := c.Get(url + "/api/v1/alerts?status=open&limit=1&count=exact")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var n int
	_, err = fmt.Sscan(resp.Header.Get("X-Total-Count"), &n)
	return n, err
}

// ListQuery is the latency of one of the list queries the bench times.
type ListQuery struct {
	Path    string  `json:"path"`
	P50Ms   float64 `json:"p50_ms"`
	P99Ms   float64 `json:"p99_ms"`
	Samples int     `json:"samples"`
}

// listPaths are the reads listLatency times, the way a person or the CLI
// pages through open alerts: the first page, a later page, open alerts of
// a service, and every alert.
func listPaths() []string {
	return []string{"/api/v1/alerts?status=open&limit=100", "/api/v1/alerts?status=open&limit=100&offset=5000",
		"/api/v1/alerts?status=open&service=bench&limit=50", "/api/v1/alerts?limit=100"}
}

// listRounds is how many times listLatency asks each of listPaths, in
// turn: enough for each query's p99 to be its third slowest, not its slowest.
const listRounds = 250

// listLatency times listPaths, rounds times each, in turn, and returns the
// p50 and p99 over all of them and of each.
func listLatency(c *http.Client, url string, rounds int) (p50, p99 float64, each []ListQuery, err error) {
	paths := listPaths()
	var all []time.Duration
	per := make([][]time.Duration, len(paths))
	for i := 0; i < rounds*len(paths); i++ {
		k := i % len(paths)
		sw := clock.Start()
		resp, err := c.Get(url + paths[k])
		if err != nil {
			return 0, 0, nil, err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			return 0, 0, nil, fmt.Errorf("GET alerts: %s", resp.Status)
		}
		d := sw.Elapsed()
		all, per[k] = append(all, d), append(per[k], d)
	}
	for k, lat := range per {
		q50, q99 := quantiles(lat)
		each = append(each, ListQuery{Path: paths[k], P50Ms: q50, P99Ms: q99, Samples: len(lat)})
	}
	p50, p99 = quantiles(all)
	return p50, p99, each, nil
}

// quantiles are the p50 and p99 of lat in milliseconds; it sorts lat.
func quantiles(lat []time.Duration) (p50, p99 float64) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100])
}

func getJSON(c *http.Client, url string, v any) error {
	resp, err := c.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
