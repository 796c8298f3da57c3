package bench

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// VersusOptions configure the side-by-side ingestion benchmark: the same new
// alerts posted to Alertmanager's own API and to vigil serve's Alertmanager
// webhook, one process after the other, in alternating rounds.
type VersusOptions struct {
	Binary       string // vigil
	Alertmanager string // an alertmanager binary
	Clients      int
	Batch        int
	PerGroup     int
	Duration     time.Duration
	Rounds       int
	Stores       []string // vigil stores to measure; "" is SQLite in a temporary directory
	// Baseline, when set, is another vigil build measured in the same
	// rounds on the first store, for before/after figures of a change.
	Baseline string
	Log      io.Writer
	Profiles Profiles // what vigil serve records of its run
}

// VersusSide is one server's figures, the median over the rounds.
type VersusSide struct {
	Name          string  `json:"name"`
	PerSec        float64 `json:"alerts_per_second"`
	Acked         int64   `json:"alerts_acknowledged"`
	Errors        int64   `json:"errors"`
	Open          int     `json:"open_alerts"`
	IdleRSSMiB    float64 `json:"idle_rss_mib"`
	PeakRSSMiB    float64 `json:"peak_rss_mib"`
	BytesPerAlert float64 `json:"peak_rss_bytes_per_open_alert"`
	// AddedPerAlert is what the alerts added to the idle process, per
	// alert: unlike BytesPerAlert it does not fall as more alerts share
	// the process's fixed size.
	AddedPerAlert float64 `json:"added_rss_bytes_per_open_alert"`
	RequestP99Ms  float64 `json:"request_p99_ms"`
	CPUCores      float64 `json:"cpu_cores"`
	// CPUPerAlertUs is the server's CPU time per alert taken.
	CPUPerAlertUs float64 `json:"cpu_us_per_alert"`
	// Against Alertmanager in the same round, median over the rounds.
	SpeedRatio  float64 `json:"alerts_per_second_vs_alertmanager"`
	MemoryRatio float64 `json:"bytes_per_alert_vs_alertmanager"`
	CPURatio    float64 `json:"cpu_per_alert_vs_alertmanager"`
}

// VersusReport is what the side-by-side benchmark found: Sides[0] is
// Alertmanager, the rest are vigil's stores in the order given.
type VersusReport struct {
	Clients  int            `json:"clients"`
	Batch    int            `json:"batch"`
	Duration string         `json:"duration"`
	Rounds   int            `json:"rounds"`
	Sides    []VersusSide   `json:"sides"`
	Runs     [][]VersusSide `json:"runs"`
}

// amConfig sends every alert to a receiver that does nothing, as the
// comparison measures taking alerts in, not notifying.
const amConfig = `route:
  receiver: "null"
  group_by: [alertname]
  group_wait: 1h
receivers:
  - name: "null"
`

// RunVersus runs the rounds and reports the median of each side.
func RunVersus(ctx context.Context, opt VersusOptions) (VersusReport, error) {
	rep := VersusReport{Clients: opt.Clients, Batch: opt.Batch, Duration: opt.Duration.String(), Rounds: opt.Rounds}
	if err := onePostgresRun(opt); err != nil {
		return rep, err
	}
	for r := 0; r < opt.Rounds; r++ {
		var round []VersusSide
		am, err := versusAlertmanager(ctx, opt)
		if err != nil {
			return rep, fmt.Errorf("alertmanager: %w", err)
		}
		round = append(round, am)
		for _, store := range opt.Stores {
			v, err := versusVigil(ctx, opt, opt.Binary, store)
			if err != nil {
				return rep, fmt.Errorf("vigil: %w", err)
			}
			round = append(round, v)
		}
		if opt.Baseline != "" {
			// The profiles are of the build measured, not of the baseline.
			base := opt
			base.Profiles = Profiles{}
			v, err := versusVigil(ctx, base, opt.Baseline, opt.Stores[0])
			if err != nil {
				return rep, fmt.Errorf("baseline vigil: %w", err)
			}
			v.Name = "baseline " + v.Name
			round = append(round, v)
		}
		for i := range round {
			round[i].SpeedRatio = round[i].PerSec / round[0].PerSec
			round[i].MemoryRatio = round[i].BytesPerAlert / round[0].BytesPerAlert
			round[i].CPURatio = round[i].CPUPerAlertUs / round[0].CPUPerAlertUs
		}
		for _, s := range round {
			fmt.Fprintf(opt.Log, "round %d: %s took %.0f alerts/s, %d open, peak RSS %.0f MiB (%.0f B per alert)\n",
				r+1, s.Name, s.PerSec, s.Open, s.PeakRSSMiB, s.BytesPerAlert)
		}
		rep.Runs = append(rep.Runs, round)
	}
	for i := range rep.Runs[0] {
		rep.Sides = append(rep.Sides, medianSide(rep.Runs, i))
	}
	return rep, nil
}

// versusAlertmanager measures Alertmanager taking the new alerts on its API.
func versusAlertmanager(ctx context.Context, opt VersusOptions) (VersusSide, error) {
	side := VersusSide{Name: "alertmanager"}
	dir, err := os.MkdirTemp("", "vigil-bench-am-")
	if err != nil {
		return side, err
	}
	defer os.RemoveAll(dir)
	cfg := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(cfg, []byte(amConfig), 0o600); err != nil {
		return side, err
	}
	addr, err := freeAddr()
	if err != nil {
		return side, err
	}
	cmd := exec.CommandContext(ctx, opt.Alertmanager, "--config.file="+cfg, "--storage.path="+dir,
		"--web.listen-address="+addr, "--cluster.listen-address=")
	if err := cmd.Start(); err != nil {
		return side, err
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	url := "http://" + addr
	if err := waitReady(ctx, url+"/-/ready"); err != nil {
		return side, err
	}
	l := load{url: url + "/api/v2/alerts", clients: opt.Clients, batch: opt.Batch, perGroup: opt.PerGroup,
		kind: "load", status: "firing", apiV2: true}
	side = measureSide(ctx, side, cmd.Process.Pid, l, opt.Duration)
	side.Open, err = amHeldAlerts(url + "/metrics")
	return perAlert(side), err
}

// versusVigil measures vigil serve taking the same alerts on its
// Alertmanager webhook, every 2xx stored.
func versusVigil(ctx context.Context, opt VersusOptions, bin, store string) (VersusSide, error) {
	side := VersusSide{Name: "vigil (SQLite)"}
	dir, err := os.MkdirTemp("", "vigil-bench-versus-")
	if err != nil {
		return side, err
	}
	defer os.RemoveAll(dir)
	if store == "" {
		store = "sqlite://" + filepath.Join(dir, "bench.db")
	} else if strings.HasPrefix(store, "postgres") {
		side.Name = "vigil (Postgres)"
	}
	cfgPath := filepath.Join(dir, "bench.yaml")
	// The webhook contact is never called: the load's groups wait an hour.
	if err := os.WriteFile(cfgPath, alertsConfig("http://127.0.0.1:9"), 0o600); err != nil {
		return side, err
	}
	addr, err := freeAddr()
	if err != nil {
		return side, err
	}
	args := append([]string{"serve", "--config", cfgPath, "--listen", addr, "--store", store}, opt.Profiles.serveArgs()...)
	vigil, stop, err := startChild(ctx, bin, args, `http://\S+`, opt.Log)
	if err != nil {
		return side, err
	}
	defer stop()
	l := load{url: vigil.url + "/api/v1/integrations/alertmanager", key: "bench-key", clients: opt.Clients, batch: opt.Batch,
		perGroup: opt.PerGroup, kind: "load", status: "firing"}
	side = measureSide(ctx, side, vigil.pid, l, opt.Duration)
	side.Open, err = openAlerts(readerClient(30*time.Second), vigil.url)
	return perAlert(side), err
}

// measureSide posts new alerts for d and reads the server's CPU and memory.
func measureSide(ctx context.Context, side VersusSide, pid int, l load, d time.Duration) VersusSide {
	sampler := newSampler(pid)
	go sampler.run(ctx)
	defer sampler.stop()
	cpu0 := sampler.now()
	lctx, cancel := context.WithTimeout(ctx, d)
	res := l.post(lctx)
	cancel()
	cpu1 := sampler.now()
	side.PerSec, side.Acked, side.Errors = res.perSecond(), res.alerts, res.errors
	side.RequestP99Ms = ms(res.p99)
	side.CPUCores = (cpu1.cpu - cpu0.cpu).Seconds() / res.elapsed.Seconds()
	side.CPUPerAlertUs = float64((cpu1.cpu - cpu0.cpu).Microseconds()) / float64(max(res.alerts, 1))
	side.IdleRSSMiB, side.PeakRSSMiB = float64(cpu0.rss)/(1<<20), float64(cpu1.peakRSS)/(1<<20)
	return side
}

func perAlert(s VersusSide) VersusSide {
	n := float64(max(s.Open, 1))
	s.BytesPerAlert = s.PeakRSSMiB * (1 << 20) / n
	s.AddedPerAlert = (s.PeakRSSMiB - s.IdleRSSMiB) * (1 << 20) / n
	return s
}

func waitReady(ctx context.Context, url string) error {
	deadline := wall.Now().Add(30 * time.Second)
	for wall.Now().Before(deadline) && ctx.Err() == nil {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("%s not ready within 30s", url)
}

// amHeldAlerts sums alertmanager_alerts over its states (active,
// suppressed, unprocessed): every alert Alertmanager holds in memory.
func amHeldAlerts(url string) (int, error) {
	resp, err := http.Get(url)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	n, seen := 0, false
	for sc.Scan() {
		if !strings.HasPrefix(sc.Text(), "alertmanager_alerts{state=") {
			continue
		}
		_, v, _ := strings.Cut(sc.Text(), "} ")
		f, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return 0, fmt.Errorf("%s: %q: %w", url, sc.Text(), err)
		}
		n, seen = n+int(f), true
	}
	if !seen {
		return 0, fmt.Errorf("no alertmanager_alerts in %s", url)
	}
	return n, sc.Err()
}

func medianSide(runs [][]VersusSide, i int) VersusSide {
	out := runs[0][i]
	med := func(get func(VersusSide) float64) float64 {
		return medianOf(runs, func(r []VersusSide) float64 { return get(r[i]) })
	}
	out.PerSec = med(func(s VersusSide) float64 { return s.PerSec })
	out.Acked = int64(med(func(s VersusSide) float64 { return float64(s.Acked) }))
	out.Errors = int64(med(func(s VersusSide) float64 { return float64(s.Errors) }))
	out.Open = int(med(func(s VersusSide) float64 { return float64(s.Open) }))
	out.PeakRSSMiB = med(func(s VersusSide) float64 { return s.PeakRSSMiB })
	out.BytesPerAlert = med(func(s VersusSide) float64 { return s.BytesPerAlert })
	out.IdleRSSMiB = med(func(s VersusSide) float64 { return s.IdleRSSMiB })
	out.AddedPerAlert = med(func(s VersusSide) float64 { return s.AddedPerAlert })
	out.CPUPerAlertUs = med(func(s VersusSide) float64 { return s.CPUPerAlertUs })
	out.SpeedRatio = med(func(s VersusSide) float64 { return s.SpeedRatio })
	out.MemoryRatio = med(func(s VersusSide) float64 { return s.MemoryRatio })
	out.CPURatio = med(func(s VersusSide) float64 { return s.CPURatio })
	out.RequestP99Ms = med(func(s VersusSide) float64 { return s.RequestP99Ms })
	out.CPUCores = med(func(s VersusSide) float64 { return s.CPUCores })
	return out
}

// onePostgresRun refuses to measure a Postgres store more than once: every
// run posts the same alerts, so a second one would find the first's still
// open and resend them instead of opening new ones (and hold them too).
// SQLite runs get a fresh file each.
func onePostgresRun(opt VersusOptions) error {
	for _, st := range opt.Stores {
		if strings.HasPrefix(st, "postgres") && (opt.Rounds > 1 || opt.Baseline != "") {
			return errors.New("a Postgres --versus-store is measured once: use --rounds 1 without --baseline-vigil, " +
				"and a fresh database or search_path for each run")
		}
	}
	return nil
}
