package app

import (
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/pprof"
	"runtime/trace"
	"syscall"

	"github.com/spf13/cobra"
)

func serveCmd() *cobra.Command {
	var opt Options
	var cpuProfile, heapProfile, traceFile string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run Vigil: checks, status page and API",
		Long: `Run Vigil: schedule every check, keep results and uptime in the store,
and serve the status page (/), the API (/api/v1/...), /metrics, /healthz and
/readyz.

Without --config, Vigil runs its built-in example (examples/vigil.yaml), which
watches Vigil itself and this machine, with SQLite in ./vigil.db.

SIGHUP or POST /-/reload (admin token) re-reads the config; an invalid config
is refused and logged, and the running one stays. SIGINT/SIGTERM stop Vigil
after running probes finish and their results are written.

Memory: unless GOGC is set, Vigil sets Go's collector from its live heap:
the heap grows by twice its live size between collections while under 256
MiB live (GOGC=200), by 512 MiB past that, and by half from 1 GiB up
(GOGC=50). GOMEMLIMIT sets a soft limit as in any Go program. See "Memory:
what an open alert costs" in docs/alerting.md.

Profiling: --cpu-profile and --heap-profile show where CPU and memory go;
--trace shows where time goes that is not CPU (goroutines waiting for a
processor, a channel, a lock or a system call).`,
		Example: `  vigil serve
  vigil serve --config /etc/vigil/ --listen :8080
  vigil serve --config team.yaml --store postgres://vigil:secret@db/vigil
  VIGIL_CONFIG=team.yaml vigil serve`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opt.ConfigPath == "" {
				opt.ConfigPath = os.Getenv("VIGIL_CONFIG")
			}
			tuneGC(cmd.Context())
			opt.Version = Version()
			opt.LogOutput = cmd.ErrOrStderr()
			ctx := cmd.Context()
			if cpuProfile != "" {
				stop, err := recordRun("--cpu-profile", cpuProfile, pprof.StartCPUProfile, pprof.StopCPUProfile)
				if err != nil {
					return err
				}
				defer stop()
			}
			if traceFile != "" {
				stop, err := recordRun("--trace", traceFile, trace.Start, trace.Stop)
				if err != nil {
					return err
				}
				defer stop()
			}
			// Subscribe before anything can tell the world we are up, so a
			// SIGHUP never finds the default action (exit) in place.
			hup := make(chan os.Signal, 1)
			signal.Notify(hup, syscall.SIGHUP)
			defer signal.Stop(hup)
			a, err := Start(ctx, opt)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Vigil %s is watching %d checks: %s\n", opt.Version, countChecks(a.Config()), a.URL())
			if opt.ConfigPath == "" {
				fmt.Fprint(cmd.OutOrStdout(), demoHint(a.URL()))
			}
			for {
				select {
				case <-hup:
					_ = a.Reload(ctx) // logged inside; the running config stays on error
				case err := <-a.Errors():
					a.Close()
					return err
				case err := <-a.Fatal():
					a.Close()
					return err
				case <-ctx.Done():
					if heapProfile != "" {
						// Before Close, while everything the run holds is still live.
						if err := writeHeapProfile(heapProfile); err != nil {
							fmt.Fprintln(cmd.ErrOrStderr(), "vigil:", err)
						}
					}
					return a.Close()
				}
			}
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opt.ConfigPath, "config", "c", "", "config file or directory (default: the built-in example; env VIGIL_CONFIG)")
	f.StringVar(&opt.Listen, "listen", "", "address to listen on, overriding global.listen (e.g. :8080)")
	f.StringVar(&opt.Store, "store", "", "store DSN, overriding global.store: sqlite://PATH or postgres://...")
	f.StringVar(&cpuProfile, "cpu-profile", "", "write a CPU profile of the whole run to FILE (go tool pprof FILE), for finding where time goes")
	f.StringVar(&heapProfile, "heap-profile", "", "on SIGINT/SIGTERM, write a profile of the live heap to FILE before stopping, for finding where memory goes")
	f.StringVar(&traceFile, "trace", "", "write a Go execution trace of the whole run to FILE (go tool trace FILE), for finding what goroutines wait for; it grows by megabytes a second under load")
	return cmd
}

// writeHeapProfile writes what is live on the heap after a collection.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--heap-profile: %w", err)
	}
	defer f.Close()
	runtime.GC()
	if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
		return fmt.Errorf("--heap-profile: %w", err)
	}
	return f.Close()
}

// recordRun records this process into the file at path, named by flag in
// errors, from start until the returned stop is called.
func recordRun(flag, path string, start func(io.Writer) error, end func()) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	if err := start(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", flag, err)
	}
	return func() { end(); f.Close() }, nil
}

// demoHint tells a newcomer running the bundled example, served at url, how
// to get past the login: the example's token is not a secret, and only for
// 127.0.0.1.
func demoHint(url string) string {
	server := ""
	if url != defaultServer {
		server = "export VIGIL_SERVER=" + url + "\n  "
	}
	return `The web app and the API need a credential. The demo's (from examples/vigil.yaml):
  sign in at ` + url + `/login as "you" with the password demo-password
  ` + server + `export VIGIL_TOKEN=demo-token    # then: vigil alert list, vigil oncall, vigil run demo-job-late --dry-run
  curl -H "Authorization: Bearer demo-token" ` + url + `/api/v1/alerts
`
}
