package app

import (
	"errors"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/vigil-sre/vigil/internal/bench"
)

func benchHACmd() *cobra.Command {
	opt := bench.HAOptions{}
	cmd := &cobra.Command{
		Use:   "ha",
		Short: "Run replicas on one Postgres, kill the leader under load, and count losses, duplicates and failover time",
		Long: `Start --replicas 'vigil serve' processes on the Postgres database of --store,
spread Alertmanager webhooks over them as a load balancer does (each alert
paging at once through a webhook), and --kills times kill the replica
running the pager with SIGKILL and start it again. Report how many
acknowledged alerts are stored and paged, the duplicate pages per 10,000,
and the failover time (kill until another replica holds the leader lease)
per kill, with p50 and p99. Exits 1 if any acknowledged alert is lost or
never paged. With --kills 0 it measures ingestion alone.`,
		Example: `  vigil bench ha --store postgres://vigil:vigil@127.0.0.1/vigil_bench --replicas 3 --kills 10
  vigil bench ha --store postgres://... --replicas 1 --kills 0 --alerts 20000`,
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
			rep, err := bench.RunHA(cmd.Context(), opt)
			if err != nil {
				return err
			}
			return printLossReport(cmd.OutOrStdout(), rep, rep.Found != rep.Acknowledged || rep.Delivered != rep.Acknowledged)
		},
	}
	f := cmd.Flags()
	f.IntVar(&opt.Replicas, "replicas", 3, "vigil serve processes")
	f.IntVar(&opt.Clients, "clients", 8, "concurrent senders, spread over the replicas")
	f.IntVar(&opt.Batch, "batch", 20, "alerts per webhook request")
	f.IntVar(&opt.Kills, "kills", 10, "times the leader is killed and started again")
	f.IntVar(&opt.AckedPerKill, "alerts", 2000, "alerts acknowledged before each kill (and in all, with --kills 0)")
	f.DurationVar(&opt.Heartbeat, "heartbeat", time.Second, "the replicas' global.cluster.heartbeat")
	f.DurationVar(&opt.LeaseTTL, "lease-ttl", 5*time.Second, "the replicas' global.cluster.lease_ttl")
	f.StringVar(&opt.Store, "store", "", "Postgres DSN (required)")
	return cmd
}
