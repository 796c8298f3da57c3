package app

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/bench"
)

func benchCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure Vigil on this machine",
		Long: `Benchmarks that run Vigil the way users do and report what it cost.
Results and the exact commands used for BENCHMARKS.md are in that file.`,
	}
	cmd.AddCommand(benchChecksCmd(), benchAlertsCmd(), benchCrashCmd(), benchHACmd(), benchHAChecksCmd(), benchTargetCmd())
	return cmd
}

func benchChecksCmd() *cobra.Command {
	opt := bench.ChecksOptions{}
	var jsonOut bool
	var runs int
	cmd := &cobra.Command{
		Use:   "checks",
		Short: "Run N HTTP checks against a local target and measure vigil serve",
		Long: `Start a target server and 'vigil serve' as child processes, with a generated
config of N HTTP checks every E against the target, and report:
how many checks started within their first interval, how many scheduled
probes were performed, scheduling lag (p50/p99, from /metrics), the average
CPU of the serve process in cores and per check, and its peak RSS. The
CPU of a bare Go HTTP GET on a new connection, measured in the same run, is
the baseline.`,
		Example: "  vigil bench checks --checks 10000 --every 10s --duration 2m",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			bin, err := os.Executable()
			if err != nil {
				return err
			}
			opt.Binary = bin
			opt.Log = cmd.ErrOrStderr()
			var reps []bench.ChecksReport
			for i := 0; i < runs; i++ {
				rep, err := bench.RunChecks(cmd.Context(), opt)
				if err != nil {
					return err
				}
				if runs > 1 {
					fmt.Fprintf(cmd.ErrOrStderr(), "run %d of %d:\n", i+1, runs)
					printChecksReport(cmd.ErrOrStderr(), rep)
				}
				reps = append(reps, rep)
			}
			rep := bench.Median(reps)
			if jsonOut {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			printChecksReport(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&opt.Checks, "checks", 10000, "number of HTTP checks")
	f.DurationVar(&opt.Every, "every", 10*time.Second, "interval of every check")
	f.DurationVar(&opt.Duration, "duration", 2*time.Minute, "steady state to measure, after the first interval")
	f.StringVar(&opt.Store, "store", "", "store DSN (default: SQLite in a temporary directory)")
	f.BoolVar(&jsonOut, "json", false, "print the report as JSON")
	f.IntVar(&runs, "runs", 1, "repeat the benchmark and report the median of each figure")
	f.StringVar(&opt.Profiles.CPU, "cpu-profile", "", "have vigil serve write a CPU profile of its run to FILE")
	return cmd
}

func printChecksReport(w io.Writer, r bench.ChecksReport) {
	row := func(name, value, goal string) { fmt.Fprintf(w, "| %s | %s | %s |\n", name, value, goal) }
	title := fmt.Sprintf("%d HTTP checks every %gs, %gs measured", r.Checks, r.EverySeconds, r.MeasuredSeconds)
	if r.Runs > 1 {
		title += fmt.Sprintf(", median of %d runs", r.Runs)
	}
	fmt.Fprintf(w, "| %s | result | goal |\n|---|---:|---|\n", title)
	row("checks started within their first interval", fmt.Sprintf("%d of %d", r.StartedInFirst, r.Checks), "all")
	row("scheduled probes performed", fmt.Sprintf("%.1f%% (%.0f of %.0f; %.0f failed, %.0f skipped)", 100*r.Performed/r.Scheduled, r.Performed, r.Scheduled, r.Failed, r.Skipped), "≥ 95%")
	row("scheduling lag p50 / p99", fmt.Sprintf("%.1f ms / %.1f ms (%.2f%% under 1 s)", r.LagP50Ms, r.LagP99Ms, 100*r.LagUnder1s), "p99 < 1 s")
	row("vigil CPU, average", fmt.Sprintf("%.3f cores steady; %.3f over the whole run; %.3f in the first interval", r.CPUCores, r.CPUCoresWhole, r.CPUCoresStartup), "< 0.5 core")
	row("vigil CPU per check", fmt.Sprintf("%.3f ms = %.1f× a bare GET (%.3f ms)", r.CPUPerCheckMs, r.CPUPerCheckMs/r.BareGetCPUMs, r.BareGetCPUMs), "")
	row("vigil peak RSS", fmt.Sprintf("%.0f MiB (%.0f MiB at the end)", r.PeakRSSMiB, r.RSSEndMiB), "< 400 MB")
	row("config load and start", fmt.Sprintf("%.1f s", r.ConfigLoadAndStartS), "")
}

func benchTargetCmd() *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:    "target",
		Short:  "Serve 200 {\"status\":\"UP\"} to every request (the benchmarks' check target)",
		Args:   cobra.NoArgs,
		Hidden: true,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bench.ServeTarget(cmd.Context(), listen, cmd.OutOrStdout())
		},
	}
	cmd.Flags().StringVar(&listen, "listen", "127.0.0.1:0", "address to listen on")
	return cmd
}

func benchAlertsCmd() *cobra.Command {
	opt := bench.AlertsOptions{}
	var jsonOut bool
	var against string
	var rounds int
	var baseline string
	var stores []string
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "Ingest Alertmanager webhooks into vigil serve and measure it",
		Long: `Start a target (a webhook sink) and 'vigil serve' as child processes, then:
open --alerts alerts in groups of --per-group through Alertmanager webhook
batches of --batch, resend them for --duration as Alertmanager does (every
answer is given only once the change is stored), measure RSS and the alerts
list API with them all open, and time --latency-alerts alerts from the
webhook request to the notification arriving at the sink (group_wait 0s).
The baseline is the same batches posted to a receiver that only parses them.

With --against-alertmanager PATH it instead compares side by side: for
--duration, --clients senders post batches of --batch new alerts to that
Alertmanager's POST /api/v2/alerts (a null receiver, nothing on disk), then
the same alerts to vigil serve's webhook on each --versus-store, in
--rounds alternating rounds; it reports the median alerts/s, peak RSS per
open alert and the ratios. scripts/bench-vs-alertmanager.sh builds
Alertmanager from its module and runs this.`,
		Example: `  vigil bench alerts --alerts 100000 --per-group 10 --batch 50 --duration 1m
  vigil bench alerts --against-alertmanager ./alertmanager --duration 10s --rounds 3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			bin, err := os.Executable()
			if err != nil {
				return err
			}
			opt.Binary, opt.Log = bin, cmd.ErrOrStderr()
			if against != "" {
				return benchVersus(cmd, versusOptions(opt, against, rounds, stores, baseline), jsonOut)
			}
			rep, err := bench.RunAlerts(cmd.Context(), opt)
			if err != nil {
				return err
			}
			if jsonOut {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(rep)
			}
			w := cmd.OutOrStdout()
			row := func(name, value, goal string) { fmt.Fprintf(w, "| %s | %s | %s |\n", name, value, goal) }
			fmt.Fprintf(w, "| %d alerts in %d groups, batches of %d | result | goal |\n|---|---:|---|\n", rep.Alerts, rep.Groups, rep.Batch)
			row("new alerts stored", fmt.Sprintf("%.0f /s", rep.NewPerSec), "")
			row("sustained (resends), every 2xx stored", fmt.Sprintf("%.0f /s = %.2f× the parse-only baseline (%.0f /s)", rep.SustainedPerSec, rep.SustainedPerSec/rep.BaselinePerSec, rep.BaselinePerSec), "≥ 20,000 /s")
			row("webhook request p50 / p99", fmt.Sprintf("%.1f / %.1f ms (%d errors)", rep.RequestP50Ms, rep.RequestP99Ms, rep.Errors), "")
			row("vigil CPU while sustained", fmt.Sprintf("%.2f cores", rep.CPUCores), "")
			row("RSS with the alerts open", fmt.Sprintf("%.0f MiB (%d open; peak %.0f MiB)", rep.RSSMiB, rep.OpenAlerts, rep.PeakRSSMiB), "< 1 GB")
			row("GET /api/v1/alerts p50 / p99", fmt.Sprintf("%.1f / %.1f ms", rep.ListP50Ms, rep.ListP99Ms), "p99 < 100 ms")
			for _, q := range rep.ListQueries {
				row("  "+strings.TrimPrefix(q.Path, "/api/v1/alerts"), fmt.Sprintf("%.1f / %.1f ms (%d requests)", q.P50Ms, q.P99Ms, q.Samples), "")
			}
			under := ""
			if rep.BackgroundPerSec > 0 {
				under = fmt.Sprintf(", %.0f new alerts/s alongside", rep.BackgroundPerSec)
			}
			row("ingestion → notification delivered, p50 / p99", fmt.Sprintf("%.1f / %.1f ms (max %.1f, %d alerts%s)", rep.DeliveryP50Ms, rep.DeliveryP99Ms, rep.DeliveryMaxMs, rep.DeliverySamples, under), "p99 < 250 ms")
			return nil
		},
	}
	f := cmd.Flags()
	f.IntVar(&opt.Alerts, "alerts", 100000, "distinct alerts to open")
	f.IntVar(&opt.PerGroup, "per-group", 10, "alerts per notification group")
	f.IntVar(&opt.Batch, "batch", 50, "alerts per webhook request")
	f.IntVar(&opt.Clients, "clients", 8, "concurrent senders")
	f.DurationVar(&opt.Duration, "duration", time.Minute, "sustained phase")
	f.IntVar(&opt.LatencyAlerts, "latency-alerts", 2000, "alerts timed from ingestion to delivery")
	f.Float64Var(&opt.LatencyLoad, "latency-load", 0, "while timing, keep new alerts coming at this fraction of the rate they were opened at (0.5: half the measured maximum)")
	f.StringVar(&opt.Store, "store", "", "store DSN (default: SQLite in a temporary directory)")
	f.BoolVar(&jsonOut, "json", false, "print the report as JSON")
	f.StringVar(&opt.Profiles.CPU, "cpu-profile", "", "have vigil serve write a CPU profile of its run to FILE")
	f.StringVar(&opt.Profiles.Trace, "trace", "", "have vigil serve write an execution trace of its run to FILE (go tool trace FILE): what its goroutines wait for")
	f.StringVar(&against, "against-alertmanager", "", "compare side by side with the alertmanager binary at PATH")
	f.StringVar(&opt.Profiles.Heap, "heap-profile", "", "have vigil serve write a profile of its live heap to FILE with the alerts open")
	f.StringVar(&opt.Serve, "vigil", "", "the vigil binary to measure (default: this one), to measure another build with this harness")
	f.StringVar(&baseline, "baseline-vigil", "", "also measure the vigil binary at PATH in the same rounds, for before/after figures (side by side only)")
	f.IntVar(&rounds, "rounds", 3, "alternating rounds of the side-by-side comparison")
	f.StringSliceVar(&stores, "versus-store", []string{""}, "vigil stores to compare (\"\" is SQLite in a temporary directory; repeat for several); a Postgres store is measured once (--rounds 1, no --baseline-vigil), on a fresh database or search_path")
	return cmd
}

// versusOptions are the side-by-side comparison's options from those of
// 'vigil bench alerts': the same senders, batches and profiles, and the same
// build measured (--vigil, else this one).
func versusOptions(opt bench.AlertsOptions, against string, rounds int, stores []string, baseline string) bench.VersusOptions {
	return bench.VersusOptions{Binary: opt.Measured(), Alertmanager: against, Clients: opt.Clients,
		Batch: opt.Batch, PerGroup: opt.PerGroup, Duration: opt.Duration, Rounds: rounds, Stores: stores,
		Log: opt.Log, Profiles: opt.Profiles, Baseline: baseline}
}

// benchVersus runs the side-by-side comparison and prints its table.
func benchVersus(cmd *cobra.Command, opt bench.VersusOptions, jsonOut bool) error {
	if opt.Rounds < 1 {
		return fmt.Errorf("--rounds must be at least 1, got %d", opt.Rounds)
	}
	if len(opt.Stores) == 0 {
		opt.Stores = []string{""}
	}
	rep, err := bench.RunVersus(cmd.Context(), opt)
	if err != nil {
		return err
	}
	w := cmd.OutOrStdout()
	if jsonOut {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(w, "| %d senders, batches of %d new alerts, %s; median of %d rounds | alerts/s | vs Alertmanager | CPU per alert | vs Alertmanager | open | peak RSS (idle) | bytes per open alert | added per alert | vs Alertmanager | request p99 |\n",
		rep.Clients, rep.Batch, rep.Duration, rep.Rounds)
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, s := range rep.Sides {
		fmt.Fprintf(w, "| %s | %.0f | %.2f× | %.0f µs | %.2f× | %d | %.0f MiB (%.0f) | %.0f | %.0f | %.2f× | %.1f ms |\n", s.Name, s.PerSec, s.SpeedRatio,
			s.CPUPerAlertUs, s.CPURatio, s.Open, s.PeakRSSMiB, s.IdleRSSMiB, s.BytesPerAlert, s.AddedPerAlert, s.MemoryRatio, s.RequestP99Ms)
	}
	return nil
}

func benchCrashCmd() *cobra.Command {
	opt := bench.CrashOptions{}
	cmd := &cobra.Command{
		Use:   "crash",
		Short: "Kill vigil serve with SIGKILL mid-ingestion and check nothing acknowledged is lost",
		Long: `Ingest Alertmanager webhooks as fast as --clients can send them, each alert
paging at once through a webhook; kill 'vigil serve' with SIGKILL after
--kill-after; restart it on the same store; report how many acknowledged
alerts are stored and paged. Exits 1 if any is missing.`,
		Example: "  vigil bench crash --kill-after 5s",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			bin, err := os.Executable()
			if err != nil {
				return err
			}
			opt.Binary, opt.Log = bin, cmd.ErrOrStderr()
			rep, err := bench.RunCrash(cmd.Context(), opt)
			if err != nil {
				return err
			}
			return printLossReport(cmd.OutOrStdout(), rep, rep.Found != rep.Acknowledged || rep.Delivered != rep.Acknowledged)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opt.Clients, "clients", 8, "concurrent senders")
	f.IntVar(&opt.Batch, "batch", 50, "alerts per webhook request")
	f.DurationVar(&opt.KillAfter, "kill-after", 5*time.Second, "ingest this long, then SIGKILL")
	f.StringVar(&opt.Store, "store", "", "store DSN (default: SQLite in a temporary directory)")
	return cmd
}

// printLossReport prints a kill benchmark's report as JSON; lost (an
// acknowledged alert missing or never paged) makes the command exit 1.
func printLossReport(w io.Writer, rep any, lost bool) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(rep); err != nil {
		return err
	}
	if lost {
		return exitError{code: 1}
	}
	return nil
}
