package app

import (
	"errors"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/bench"
)

func benchHAChecksCmd() *cobra.Command {
	opt := bench.ChecksHAOptions{}
	cmd := &cobra.Command{
		Use:   "ha-checks",
		Short: "Run replicas on one Postgres that split HTTP checks; kill one holding checks and start it again",
		Long: `Start --replicas 'vigil serve' processes on the Postgres database of --store
with --checks HTTP checks every --every against a target that records
which replica probed each check when. Watch a steady phase of --window:
probes per second, checks per replica, checks probed by two replicas,
the longest gap between probes of a check. With --kill, kill (SIGKILL) the
replica that probes the most checks without leading, report how soon the
others probed all its checks (takeover), watch again, start it again,
report how soon it probes again (join), and watch a last phase.
Exits 1 if a check was probed by two replicas or not at all in a steady
phase.`,
		Example: `  vigil bench ha-checks --store postgres://vigil:vigil@127.0.0.1/vigil_bench --replicas 3 --checks 30 --kill
  vigil bench ha-checks --store postgres://... --replicas 1 --checks 3000 --every 1s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opt.Store == "" {
				return errors.New("--store must name a Postgres database (replicas share it)")
			}
			bin, err := os.Executable()
			if err != nil {
				return err
			}
			opt.Binary, opt.Log = bin, cmd.ErrOrStderr()
			rep, err := bench.RunChecksHA(cmd.Context(), opt)
			if err != nil {
				return err
			}
			return printLossReport(cmd.OutOrStdout(), rep, rep.Doubled > 0 || rep.Silent > 0)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opt.Replicas, "replicas", 3, "vigil serve processes")
	f.IntVar(&opt.Checks, "checks", 30, "HTTP checks")
	f.DurationVar(&opt.Every, "every", time.Second, "interval of every check")
	f.DurationVar(&opt.Window, "window", 5*time.Second, "how long each steady phase is watched")
	f.BoolVar(&opt.Kill, "kill", false, "kill a replica holding checks, then start it again")
	f.DurationVar(&opt.Heartbeat, "heartbeat", time.Second, "the replicas' global.cluster.heartbeat")
	f.DurationVar(&opt.LeaseTTL, "lease-ttl", 5*time.Second, "the replicas' global.cluster.lease_ttl")
	f.StringVar(&opt.Store, "store", "", "Postgres DSN (required)")
	return cmd
}
