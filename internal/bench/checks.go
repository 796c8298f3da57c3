// Package bench measures Vigil as users run it: `vigil bench checks` starts
// `vigil serve` as a child process on a generated config and a target server
// as another, then reads the child's CPU and memory from /proc and its own
// account of the work from /metrics and the API.
package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// ChecksOptions configure the check-scheduling benchmark.
type ChecksOptions struct {
	Checks   int           // HTTP checks to run
	Every    time.Duration // interval of every check
	Duration time.Duration // measured steady state, after the first interval
	Store    string        // store DSN; empty means SQLite in a temporary directory
	Binary   string        // the vigil binary to run
	Profiles Profiles      // what vigil serve records of its run
	Dir      string        // working directory; empty means a temporary one
	Log      io.Writer     // progress messages
}

// ChecksReport is what the benchmark found.
type ChecksReport struct {
	Runs                int     `json:"runs"`
	Checks              int     `json:"checks"`
	EverySeconds        float64 `json:"every_seconds"`
	MeasuredSeconds     float64 `json:"measured_seconds"`
	StartedInFirst      int     `json:"started_in_first_interval"`
	Scheduled           float64 `json:"scheduled"`
	Performed           float64 `json:"performed"`
	Failed              float64 `json:"failed"`
	Skipped             float64 `json:"skipped"`
	LagP50Ms            float64 `json:"lag_p50_ms"`
	LagP99Ms            float64 `json:"lag_p99_ms"`
	LagUnder1s          float64 `json:"lag_share_under_1s"`
	CPUCores            float64 `json:"cpu_cores_avg"`
	CPUCoresStartup     float64 `json:"cpu_cores_first_interval"`
	CPUCoresWhole       float64 `json:"cpu_cores_whole_run"`
	CPUPerCheckMs       float64 `json:"cpu_ms_per_check"`
	BareGetCPUMs        float64 `json:"bare_get_cpu_ms"`
	PeakRSSMiB          float64 `json:"peak_rss_mib"`
	RSSEndMiB           float64 `json:"rss_end_mib"`
	ConfigLoadAndStartS float64 `json:"start_seconds"`
}

// RunChecks runs the benchmark.
func RunChecks(ctx context.Context, opt ChecksOptions) (ChecksReport, error) {
	rep := ChecksReport{Runs: 1, Checks: opt.Checks, EverySeconds: opt.Every.Seconds(), MeasuredSeconds: opt.Duration.Seconds()}
	logf := func(format string, args ...any) { fmt.Fprintf(opt.Log, format+"\n", args...) }
	dir := opt.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "vigil-bench-")
		if err != nil {
			return rep, err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	store := opt.Store
	if store == "" {
		store = "sqlite://" + filepath.Join(dir, "bench.db")
	}

	target, stopTarget, err := startChild(ctx, opt.Binary, []string{"bench", "target", "--listen", "127.0.0.1:0"}, `http://\S+`, nil)
	if err != nil {
		return rep, fmt.Errorf("starting the target: %w", err)
	}
	defer stopTarget()
	logf("target at %s", target.url)

	rep.BareGetCPUMs = bareGetCPU(target.url, 2000).Seconds() * 1000
	logf("baseline: a bare Go HTTP GET on a new connection costs %.3f ms of CPU", rep.BareGetCPUMs)

	cfgPath := filepath.Join(dir, "bench.yaml")
	if err := os.WriteFile(cfgPath, checksConfig(opt.Checks, opt.Every, target.url), 0o600); err != nil {
		return rep, err
	}
	addr, err := freeAddr()
	if err != nil {
		return rep, err
	}
	sw := clock.Start()
	args := append([]string{"serve", "--config", cfgPath, "--listen", addr, "--store", store}, opt.Profiles.serveArgs()...)
	vigil, stopVigil, err := startChild(ctx, opt.Binary, args, `http://\S+`, opt.Log)
	if err != nil {
		return rep, fmt.Errorf("starting vigil: %w", err)
	}
	defer stopVigil()
	started := wall.Now()
	rep.ConfigLoadAndStartS = sw.Elapsed().Seconds()
	logf("vigil serve (pid %d) started %d checks in %.1fs; sampling", vigil.pid, opt.Checks, rep.ConfigLoadAndStartS)

	sampler := newSampler(vigil.pid)
	go sampler.run(ctx)
	defer sampler.stop()
	client := readerClient(30 * time.Second)

	// Every check must have started within its first interval.
	sleepUntil(ctx, started.Add(opt.Every))
	cpuStart := sampler.now()
	n, err := countChecked(client, vigil.url)
	if err != nil {
		return rep, err
	}
	rep.StartedInFirst = n
	before, err := scrape(client, vigil.url)
	if err != nil {
		return rep, err
	}
	rep.CPUCoresStartup = cpuStart.cpu.Seconds() / opt.Every.Seconds()
	logf("first interval: %d of %d checks started; %.2f cores", n, opt.Checks, rep.CPUCoresStartup)

	measureStart := wall.Now()
	sleepUntil(ctx, measureStart.Add(opt.Duration))
	after, err := scrape(client, vigil.url)
	if err != nil {
		return rep, err
	}
	cpuEnd := sampler.now()
	elapsed := wall.Since(measureStart)

	rep.Performed = counterSum(after, "vigil_check_results_total") - counterSum(before, "vigil_check_results_total")
	rep.Failed = counterSumWhere(after, "vigil_check_results_total", "status", "fail") -
		counterSumWhere(before, "vigil_check_results_total", "status", "fail")
	rep.Skipped = counterSum(after, "vigil_scheduler_skipped_total") - counterSum(before, "vigil_scheduler_skipped_total")
	rep.Scheduled = float64(opt.Checks) * elapsed.Seconds() / opt.Every.Seconds()
	lag := histogramOf(after, "vigil_scheduler_lag_seconds").minus(histogramOf(before, "vigil_scheduler_lag_seconds"))
	rep.LagP50Ms = lag.quantile(0.50) * 1000
	rep.LagP99Ms = lag.quantile(0.99) * 1000
	rep.LagUnder1s = lag.fractionBelow(1)
	cpu := cpuEnd.cpu - cpuStart.cpu
	rep.CPUCores = cpu.Seconds() / elapsed.Seconds()
	if rep.Performed > 0 {
		rep.CPUPerCheckMs = cpu.Seconds() * 1000 / rep.Performed
	}
	rep.CPUCoresWhole = cpuEnd.cpu.Seconds() / wall.Since(started).Seconds()
	rep.PeakRSSMiB = float64(cpuEnd.peakRSS) / (1 << 20)
	rep.RSSEndMiB = float64(cpuEnd.rss) / (1 << 20)
	return rep, nil
}

// checksConfig writes n HTTP checks, a hundred to a service.
func checksConfig(n int, every time.Duration, target string) []byte {
	var b strings.Builder
	b.WriteString(readerTokens + "services:\n")
	for i := 0; i < n; i++ {
		if i%100 == 0 {
			fmt.Fprintf(&b, "  - id: svc%03d\n    checks:\n", i/100)
		}
		fmt.Fprintf(&b, "      - {id: c%05d, http: {url: \"%s/check/%d\"}, every: %s, timeout: %s, expect: ['status == 200']}\n",
			i, target, i, every, min(5*time.Second, every/2))
	}
	return []byte(b.String())
}

// bareGetCPU is the CPU this process spends on one HTTP GET over a new
// connection, the floor any HTTP check costs.
func bareGetCPU(url string, n int) time.Duration {
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	before := selfCPU()
	for i := 0; i < n; i++ {
		resp, err := client.Get(url + "/baseline")
		if err != nil {
			continue
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return (selfCPU() - before) / time.Duration(n)
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// countChecked asks the API how many checks have a result.
func countChecked(client *http.Client, url string) (int, error) {
	resp, err := client.Get(url + "/api/v1/checks")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var checks []struct {
		LastChecked *time.Time `json:"last_checked"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&checks); err != nil {
		return 0, err
	}
	n := 0
	for _, c := range checks {
		if c.LastChecked != nil {
			n++
		}
	}
	return n, nil
}

func sleepUntil(ctx context.Context, t time.Time) {
	select {
	case <-ctx.Done():
	case <-time.After(time.Until(t)):
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

type child struct {
	pid  int
	url  string
	kill func() // SIGKILL, no cleanup: a crash
}

// startChild runs the binary and waits for the first line matching pattern.
func startChild(ctx context.Context, bin string, args []string, pattern string, stderr io.Writer, env ...string) (child, func(), error) {
	cmd := exec.CommandContext(ctx, bin, args...)
	if len(env) > 0 {
		cmd.Env = append(os.Environ(), env...)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return child{}, nil, err
	}
	if stderr == nil {
		stderr = io.Discard
	}
	cmd.Stderr = &filtered{w: stderr}
	if err := cmd.Start(); err != nil {
		return child{}, nil, err
	}
	stop := func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
		}
	}
	re := regexp.MustCompile(pattern)
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if m := re.FindString(sc.Text()); m != "" {
			go io.Copy(io.Discard, out)
			kill := func() {
				cmd.Process.Kill()
				cmd.Wait()
			}
			return child{pid: cmd.Process.Pid, url: m, kill: kill}, stop, nil
		}
	}
	stop()
	return child{}, nil, fmt.Errorf("%s %s exited before it was ready (its error is above)", bin, strings.Join(args, " "))
}

// filtered passes on only warnings and errors of a child's log.
type filtered struct {
	mu sync.Mutex
	w  io.Writer
}

func (f *filtered) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if strings.Contains(line, "level=WARN") || strings.Contains(line, "level=ERROR") || strings.HasPrefix(line, "vigil:") {
			io.WriteString(f.w, line)
		}
	}
	return len(p), nil
}

// sampler reads a process's CPU and memory every second.
type sampler struct {
	pid  int
	mu   sync.Mutex
	last procSample
	done chan struct{}
}

func newSampler(pid int) *sampler { return &sampler{pid: pid, done: make(chan struct{})} }

func (s *sampler) run(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		if p, err := readProc(s.pid); err == nil {
			s.mu.Lock()
			s.last = p
			s.mu.Unlock()
		}
		select {
		case <-ctx.Done():
			return
		case <-s.done:
			return
		case <-t.C:
		}
	}
}

// now reads the process at once, so window edges are exact.
func (s *sampler) now() procSample {
	if p, err := readProc(s.pid); err == nil {
		s.mu.Lock()
		s.last = p
		s.mu.Unlock()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.last
}

func (s *sampler) stop() { close(s.done) }

// Median reports the median of every figure over several runs of the same
// benchmark; machines shared with other work are noisy.
func Median(reps []ChecksReport) ChecksReport {
	if len(reps) == 1 {
		return reps[0]
	}
	out := reps[0]
	out.Runs = len(reps)
	med := func(get func(ChecksReport) float64) float64 { return medianOf(reps, get) }
	out.StartedInFirst = int(med(func(r ChecksReport) float64 { return float64(r.StartedInFirst) }))
	out.Scheduled = med(func(r ChecksReport) float64 { return r.Scheduled })
	out.Performed = med(func(r ChecksReport) float64 { return r.Performed })
	out.Failed = med(func(r ChecksReport) float64 { return r.Failed })
	out.Skipped = med(func(r ChecksReport) float64 { return r.Skipped })
	out.LagP50Ms = med(func(r ChecksReport) float64 { return r.LagP50Ms })
	out.LagP99Ms = med(func(r ChecksReport) float64 { return r.LagP99Ms })
	out.LagUnder1s = med(func(r ChecksReport) float64 { return r.LagUnder1s })
	out.CPUCores = med(func(r ChecksReport) float64 { return r.CPUCores })
	out.CPUCoresStartup = med(func(r ChecksReport) float64 { return r.CPUCoresStartup })
	out.CPUCoresWhole = med(func(r ChecksReport) float64 { return r.CPUCoresWhole })
	out.CPUPerCheckMs = med(func(r ChecksReport) float64 { return r.CPUPerCheckMs })
	out.BareGetCPUMs = med(func(r ChecksReport) float64 { return r.BareGetCPUMs })
	out.PeakRSSMiB = med(func(r ChecksReport) float64 { return r.PeakRSSMiB })
	out.RSSEndMiB = med(func(r ChecksReport) float64 { return r.RSSEndMiB })
	out.ConfigLoadAndStartS = med(func(r ChecksReport) float64 { return r.ConfigLoadAndStartS })
	return out
}

// wall is the benchmarks' clock: they measure real processes in real time.
var wall = clock.Real()
