// Package app wires Vigil together. Run is the whole program behind main;
// tests call Run, or Start, in-process, exactly as main does.
package app

import (
	"context"
	"errors"
	"fmt"
	"github.com/vigil-sre/vigil/internal/deploy"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/release"
	"github.com/vigil-sre/vigil/internal/runbook"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/vigil-sre/vigil/examples"
	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/cluster"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/connlimit"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/monitor"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/oncall"
	"github.com/vigil-sre/vigil/internal/override"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/report/scheduled"
	"github.com/vigil-sre/vigil/internal/secret"
	"github.com/vigil-sre/vigil/internal/slo"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/toil"
	"github.com/vigil-sre/vigil/internal/web"
)

// BuiltinConfigName is how the bundled example config is named in messages.
const BuiltinConfigName = "examples/vigil.yaml (built in)"

// Options say how to start Vigil. The zero value runs the bundled example.
type Options struct {
	ConfigPath string // a file or a directory of files; "" runs the bundled example
	Listen     string // overrides global.listen
	Store      string // overrides global.store
	Clock      clock.Clock
	Log        *slog.Logger
	LogOutput  io.Writer // where the default logger writes; stderr when nil
	LookupEnv  func(string) (string, bool)
	Version    string
}

// App is a running Vigil.
type App struct {
	opt   Options
	log   *slog.Logger
	level *slog.LevelVar

	cfg    atomic.Pointer[config.Config]
	tokens atomic.Pointer[auth.Tokens]
	people atomic.Pointer[auth.People]

	// onCall keeps run-time overrides and the on-call world that counts them.
	onCall *override.Service

	store *store.Store
	// node is this replica in the cluster; leader is the lease under which
	// the pager, probing, SLOs and runbooks run (always held on SQLite).
	node   *cluster.Node
	leader *cluster.Lease
	// shards split the checks among replicas on Postgres; nil on SQLite,
	// where the single process probes every check.
	shards *cluster.Shards
	// fatal carries an error after which the replica must stop.
	fatal    chan error
	stopNode context.CancelFunc
	nodeDone chan struct{}
	mon      *monitor.Monitor
	pager    *pager.Pager
	outbox   *notify.Outbox
	// runbooks runs SOPs; alerts reach it from the pager's goroutine.
	runbooks *runbook.Engine
	// incidents keeps incidents; severe alerts may declare them.
	incidents *incident.Service
	toil      *toil.Ledger
	reports   *scheduled.Scheduler // scheduled reports
	// slos judges SLOs and raises burn-rate alerts.
	slos *slo.Service
	// releases keeps release records; the config says which services exist.
	releases *release.Service
	// deploys records deploys, verifies them and guards them.
	deploys *deploy.Service
	links   *pager.Links
	reg     *prometheus.Registry
	claims  *prometheus.HistogramVec // vigil_cluster_claim_seconds
	srv     *http.Server
	ln      *connlimit.Listener

	reloadMu sync.Mutex
	cancel   context.CancelFunc
	running  sync.WaitGroup // monitor, pager, outbox, feed, runbooks, SLOs, deploys
	feed     *checkFeed     // check state changes on their way to the pager
	// reopen holds the checks (service/check) whose alert was resolved by
	// hand while they failed: their next failing result opens a new alert.
	reopen sync.Map
	srvErr chan error
}

// Start loads the config, opens the store, starts the checks and serves HTTP.
// It returns once Vigil is listening.
func Start(ctx context.Context, opt Options) (*App, error) {
	if opt.Clock == nil {
		opt.Clock = clock.Real()
	}
	a := &App{opt: opt, level: new(slog.LevelVar)}
	a.log = opt.Log
	if a.log == nil {
		out := opt.LogOutput
		if out == nil {
			out = os.Stderr
		}
		a.log = slog.New(slog.NewTextHandler(out, &slog.HandlerOptions{Level: a.level}))
	}
	cfg, err := a.loadConfig()
	if err != nil {
		return nil, err
	}
	a.setConfig(cfg)

	a.reg = prometheus.NewRegistry()
	a.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	storeOps := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "vigil_store_operation_seconds", Help: "Store operations by name.",
		Buckets: prometheus.ExponentialBuckets(0.0001, 3, 10),
	}, []string{"op"})
	a.reg.MustRegister(storeOps)

	dsn := cfg.Global.Store.Reveal()
	a.store, err = store.Open(ctx, dsn, store.Options{
		Log:     a.log,
		Observe: func(op string, took time.Duration) { storeOps.WithLabelValues(op).Observe(took.Seconds()) },
		// SQLite has one server per file; Postgres takes replicas, which
		// divide the work through leases (internal/cluster).
		Exclusive: strings.HasPrefix(dsn, "sqlite://"),
		// A replica paused inside a transaction must not keep the locks
		// the next lease holder needs.
		IdleTxTimeout: cfg.Global.Cluster.LeaseTTL.D(),
	})
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", RedactDSN(dsn), err)
	}
	a.fatal = make(chan error, 1)
	a.node = a.newNode(cfg, dsn)
	a.leader = a.node.Lease("leader", leaderVersion)
	var shardOf func(string) int
	if a.node.Clustered() {
		a.shards = a.node.Shards("checks", checkShards, checksVersion)
		a.shards.Follow(a.leader)
		shardOf = func(key string) int { return cluster.ShardOf(key, checkShards) }
	}
	a.claims = cluster.ClaimHistogram()
	a.reg.MustRegister(a.node.Collector(), a.claims)
	if err := a.startPager(ctx, cfg); err != nil {
		a.store.Close()
		return nil, err
	}
	// The SLOs come before deploys: the deploy guard asks them about error budgets.
	a.slos = slo.New(slo.Options{
		Clock: opt.Clock, Store: a.store, Log: a.log.With("component", "slo"),
		CheckIDs: func() map[string]int64 { return a.mon.CheckIDs() },
		Ingest: func(ctx context.Context, evs []alert.Event) error {
			_, err := a.pager.Ingest(ctx, evs)
			return err
		},
	})
	a.reg.MustRegister(a.slos.Collector())
	if err := a.startDeploys(cfg); err != nil {
		a.store.Close()
		return nil, err
	}
	a.feed = newCheckFeed(func(ctx context.Context, evs []alert.Event) error {
		_, err := a.pager.Ingest(ctx, evs)
		return err
	}, a.log, opt.Clock)
	a.mon = monitor.New(monitor.Options{
		Clock: opt.Clock, Store: a.store, Log: a.log,
		Metrics:  monitor.NewMetrics(a.reg, func() *monitor.Monitor { return a.mon }),
		OnChange: a.checkChanged,
		OnResult: a.checkResult,
		Shard:    shardOf,
	}, cfg.Global.MaxConcurrentChecks)
	if err := a.mon.Apply(ctx, cfg); err != nil {
		a.store.Close()
		return nil, err
	}
	if a.shards != nil {
		a.shards.CountWith(a.mon.CountShard)
	}
	a.slos.Apply(cfg)
	a.startReports()

	a.releases = release.New(a.store, opt.Clock)
	a.releases.Apply(cfg)
	srv, err := web.New(web.Deps{
		Config: a.cfg.Load, Tokens: a.tokens.Load, People: a.people.Load, Monitor: a.mon, Pager: a.pager, Links: a.links, Runbooks: a.runbooks, Incidents: a.incidents,
		SLOs:     a.slos,
		Releases: a.releases, Deploys: a.deploys,
		Directory: a.onCall.Directory, Overrides: a.onCall, Store: a.store, Toil: a.toil, Reports: a.reports, Cluster: a.node,
		Leader: func() (string, bool, bool) { return a.node.Holder("leader") },
		Clock:  opt.Clock, Log: a.log, Metrics: a.reg, Reload: a.Reload, Ready: a.ready, Version: opt.Version,
	})
	if err != nil {
		a.store.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Global.Listen)
	if err != nil {
		a.store.Close()
		return nil, fmt.Errorf("listening on %s: %w", cfg.Global.Listen, err)
	}
	a.ln, a.srv = a.server(ln, srv.Handler(), cfg.Global.HTTP)
	a.srv.RegisterOnShutdown(srv.CloseStreams)

	// Join before serving: a replica alone on its database holds the
	// leader lease before its first request.
	a.node.SetURL(a.advertiseURL(cfg))
	if err := a.node.Join(ctx); err != nil {
		a.log.Warn("cluster: joining failed; retrying in the background", "err", err)
	}
	nodeCtx, stopNode := context.WithCancel(context.Background())
	a.stopNode, a.nodeDone = stopNode, make(chan struct{})
	go func() { defer close(a.nodeDone); a.node.Run(nodeCtx) }()

	runCtx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	a.spawn(func() { a.listen(runCtx) })
	a.spawn(func() {
		if err := a.pager.Run(runCtx); err != nil {
			a.log.Error("the pager stopped", "err", err)
		}
	})
	a.spawn(func() { a.outbox.Run(runCtx) })
	a.spawn(func() { a.feed.run(runCtx) })
	if a.shards != nil {
		// Replicas split the checks: each probes those of its shards,
		// whoever leads.
		a.ownChecks(runCtx)
		a.spawn(func() { a.mon.Run(runCtx) })
		a.spawn(func() { a.followShards(runCtx) })
	}
	// Any replica admits, executes and takes over runbook runs.
	a.spawn(func() { _ = a.runbooks.RunRuns(runCtx) })
	leading := make(chan struct{})
	a.spawn(func() {
		a.runLeader(runCtx, func(ctx context.Context) {
			mods := []func(context.Context){
				a.runbooks.Schedule, // runs themselves go on every replica
				a.deploys.Run, a.slos.Run, a.reports.Run,
			}
			if a.shards == nil {
				// Before the first probe, so that a fresh state change
				// cannot be overtaken by the stored state it replaces.
				if err := a.reconcileChecks(ctx, nil); err != nil {
					a.log.Error("reconciling check alerts failed; they catch up on the next state change or start", "err", err)
				}
				mods = append(mods, a.mon.Run)
			}
			var wg sync.WaitGroup
			for _, run := range mods {
				wg.Go(func() { run(ctx) })
			}
			// Heartbeats are taken from here on.
			select {
			case <-a.mon.Started():
			case <-ctx.Done():
			}
			close(leading)
			wg.Wait()
		})
	})
	if _, held := a.leader.Held(); held {
		<-leading // as before replicas: checks reconciled before Start returns
	}
	a.srvErr = make(chan error, 1)
	go func() {
		if err := a.srv.Serve(a.ln); !errors.Is(err, http.ErrServerClosed) {
			a.srvErr <- err
		}
		close(a.srvErr)
	}()
	a.log.Info("vigil started", "url", a.URL(), "config", a.configName(), "store", RedactDSN(dsn),
		"services", len(cfg.Services), "checks", countChecks(cfg))
	return a, nil
}

// URL is where Vigil serves HTTP.
func (a *App) URL() string {
	addr := a.ln.Addr().(*net.TCPAddr)
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port))
}

// spawn runs f in a goroutine that Close waits for. Counting each one as
// it starts keeps the count right however many there are.
func (a *App) spawn(f func()) {
	a.running.Add(1)
	go func() {
		defer a.running.Done()
		f()
	}()
}

// Config is the running config.
func (a *App) Config() *config.Config { return a.cfg.Load() }

// Errors reports a failure of the HTTP server; it is closed on shutdown.
func (a *App) Errors() <-chan error { return a.srvErr }

func (a *App) configName() string {
	if a.opt.ConfigPath == "" {
		return BuiltinConfigName
	}
	return a.opt.ConfigPath
}

// loadConfig reads the config and applies the command-line overrides.
func (a *App) loadConfig() (*config.Config, error) {
	lookup := a.opt.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	// --listen also sets ${VIGIL_LISTEN}, so a config can point checks at Vigil itself.
	envLookup := func(name string) (string, bool) {
		if name == "VIGIL_LISTEN" && a.opt.Listen != "" {
			return a.opt.Listen, true
		}
		return lookup(name)
	}
	cfg, err := LoadConfig(a.opt.ConfigPath, config.Options{LookupEnv: envLookup})
	if err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings {
		a.log.Warn("config: " + w.String())
	}
	if a.opt.Listen != "" {
		cfg.Global.Listen = a.opt.Listen
	}
	if a.opt.Store != "" {
		cfg.Global.Store = secret.NewDSN(a.opt.Store)
	}
	return cfg, nil
}

// LoadConfig loads path, or the bundled example when path is empty.
func LoadConfig(path string, opt config.Options) (*config.Config, error) {
	if path == "" {
		opt.BaseDir = "."
		return config.Parse(BuiltinConfigName, examples.Default, opt)
	}
	return config.Load(path, opt)
}

func (a *App) setConfig(cfg *config.Config) {
	a.cfg.Store(cfg)
	a.tokens.Store(auth.New(cfg.Tokens))
	a.people.Store(auth.NewPeople(cfg))
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(cfg.Global.LogLevel)); err == nil {
		a.level.Set(lvl)
	}
}

// newlyEmpty are the files of next that hold nothing now and held config in
// cur.
func newlyEmpty(cur, next *config.Config) []string {
	var out []string
	for _, f := range next.EmptyFiles() {
		if slices.Contains(cur.Files, f) && !slices.Contains(cur.EmptyFiles(), f) {
			out = append(out, f)
		}
	}
	return out
}

// Reload reads the config again and applies it. An invalid config is refused
// with its problems, and the running one stays in force. On success the
// other replicas are told to read theirs again too, so the leader applies
// a reload made on any replica.
func (a *App) Reload(ctx context.Context) error {
	if err := a.reloadHere(ctx); err != nil {
		return err
	}
	if err := a.broadcast(ctx, signalConfig); err != nil {
		a.log.Warn("cluster: telling the other replicas to reload failed; reload them one by one", "err", err)
	}
	return nil
}

// reloadHere reloads this replica's config only.
func (a *App) reloadHere(ctx context.Context) error {
	a.reloadMu.Lock()
	defer a.reloadMu.Unlock()
	cfg, err := a.loadConfig()
	if err != nil {
		a.log.Error("config reload refused; keeping the running config", "err", err)
		return err
	}
	old := a.cfg.Load()
	if emptied := newlyEmpty(old, cfg); len(emptied) > 0 {
		// A file truncated by mistake would drop its checks, tokens and
		// integration keys, and senders do not retry a 401.
		err := errs.E(errs.Invalid, "%s had config and is now empty (no YAML document): reloading would drop all it held; the running config stays (to drop it, remove the file, or leave a comment and an empty list in it, e.g. services: [])",
			strings.Join(emptied, ", "))
		a.log.Error("config reload refused; keeping the running config", "err", err)
		return err
	}
	dir, err := oncall.NewDirectory(cfg)
	if err != nil {
		return errs.Wrap(errs.Internal, err, "on-call directory")
	}
	if err := a.pager.Check(cfg); err != nil {
		a.log.Error("config reload refused; keeping the running config", "err", err)
		return errs.Wrap(errs.Invalid, err, "applying config")
	}
	if err := a.runbooks.Check(cfg); err != nil {
		a.log.Error("config reload refused; keeping the running config", "err", err)
		return errs.Wrap(errs.Invalid, err, "applying config")
	}
	if err := a.mon.Apply(ctx, cfg); err != nil {
		a.log.Error("config reload failed; keeping the running config", "err", err)
		return errs.Wrap(errs.Internal, err, "applying config")
	}
	// The outbox finds destinations in the app's config: it changes before
	// the pager can page a destination that is new in it.
	a.onCall.Apply(dir)
	a.setConfig(cfg)
	if err := a.pager.Reload(ctx, cfg); err != nil {
		// Only a shutdown or a cancelled request gets here; the pager keeps
		// routing by the previous config until the next reload.
		a.log.Error("applying the config to the pager failed", "err", err)
		return errs.Wrap(errs.Unavailable, err, "applying config")
	}
	if err := a.runbooks.Apply(cfg); err != nil {
		a.log.Error("applying the config to runbooks failed", "err", err)
	}
	a.incidents.Apply(cfg)
	a.slos.Apply(cfg)
	a.releases.Apply(cfg)
	if err := a.deploys.Apply(cfg); err != nil {
		a.log.Error("applying the config to deploys failed", "err", err)
	}
	a.reports.Reload()
	a.runbooks.Audit(ctx, "system", "config.reloaded", fmt.Sprintf("%d runbooks", len(cfg.Runbooks)))
	if cfg.Global.Listen != old.Global.Listen || cfg.Global.Store.Reveal() != old.Global.Store.Reveal() ||
		cfg.Global.HTTP != old.Global.HTTP || cfg.Global.Delivery != old.Global.Delivery {
		a.log.Warn("global.listen, global.store, global.http and global.delivery take effect on restart")
	}
	a.log.Info("config reloaded", "services", len(cfg.Services), "checks", countChecks(cfg))
	return nil
}

func (a *App) ready(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := a.store.Ping(ctx); err != nil {
		return errs.Wrap(errs.Unavailable, err, "the store does not answer, or cannot sync to disk")
	}
	return nil
}

// Close stops serving, lets running probes finish, writes their results and
// closes the store.
func (a *App) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := a.srv.Shutdown(ctx)
	a.cancel()
	a.running.Wait()
	// Leases go last, released, so the next holder starts at once and
	// finds every write of this one committed.
	a.stopNode()
	<-a.nodeDone
	if cerr := a.store.Close(); err == nil {
		err = cerr
	}
	a.log.Info("vigil stopped")
	return err
}

func countChecks(c *config.Config) int {
	n := 0
	for _, s := range c.Services {
		n += len(s.Checks)
	}
	return n
}

// RedactDSN shows where a store is without its credentials.
func RedactDSN(dsn string) string {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return "<invalid store DSN>"
	}
	if at := strings.LastIndex(rest, "@"); at >= 0 {
		rest = rest[at+1:]
	}
	if q := strings.IndexByte(rest, '?'); q >= 0 {
		rest = rest[:q]
	}
	return scheme + "://" + rest
}
