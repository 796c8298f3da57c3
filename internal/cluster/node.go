// Package cluster lets several vigil serve replicas share one Postgres
// database, with Postgres as the only coordinator: each replica beats into
// cluster_members, and the work that exactly one replica may do at a time
// (the pager and the schedulers around it) is held under a module lease in
// cluster_leases, judged by the database's clock and fenced by an epoch that
// grows on every change of holder. A write made under a lease checks it in
// its own transaction (store.Fence), so a replica that was paused past its
// lease cannot write once another took over.
//
// On SQLite there is one process per database: Single gives a node that
// holds every lease for good, with a zero Fence that checks nothing, so the
// single-node path pays nothing for the cluster.
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/store"
)

// Defaults of Options.
const (
	DefaultHeartbeat = time.Second
	DefaultLeaseTTL  = 5 * time.Second
)

// Options configure a clustered Node.
type Options struct {
	Store   *store.Store
	Name    string // shown to people; the host name when empty
	URL     string // where the replica serves HTTP
	Version string // vigil's version
	// Heartbeat is how often the node beats and renews its leases.
	Heartbeat time.Duration
	// LeaseTTL is how long a lease lasts unless renewed, and how long a
	// silent member stays listed as alive. It must be several heartbeats.
	LeaseTTL time.Duration
	Log      *slog.Logger
	// OnSignal is called, on a goroutine of its own, with the name of a
	// broadcast signal whose generation moved since the last beat.
	OnSignal func(name string)
}

// Node is this replica in the cluster.
type Node struct {
	opt    Options
	id     string
	single bool
	rt     clock.Clock // leases live on real time, whatever clock the app runs on

	mu      sync.Mutex
	leases  map[string]*Lease
	view    View
	signals map[string]int64
	behind  bool // the database's schema is newer than this build's
	shards  *Shards
}

// View is the cluster as the last heartbeat saw it.
type View struct {
	Now     time.Time // the database's clock
	Members []store.Member
	Leases  map[string]store.Lease
	Schema  int64 // the newest migration applied to the database
}

// New makes a clustered node for the store's database; call Run.
func New(opt Options) *Node {
	if opt.Heartbeat <= 0 {
		opt.Heartbeat = DefaultHeartbeat
	}
	if opt.LeaseTTL <= 0 {
		opt.LeaseTTL = DefaultLeaseTTL
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Name == "" {
		opt.Name, _ = os.Hostname()
	}
	return &Node{opt: opt, id: opt.Name + "-" + randomSuffix(), rt: clock.Real(), leases: map[string]*Lease{}}
}

// Single is the node of a database with one process (SQLite): it holds
// every lease from the start and never loses one.
func Single(name string) *Node {
	if name == "" {
		name, _ = os.Hostname()
	}
	return &Node{opt: Options{Name: name, Log: slog.New(slog.DiscardHandler)}, id: name, single: true, leases: map[string]*Lease{}}
}

// ID is this replica's member id: its name and a random suffix, new at
// every start, so a restarted process is a new member.
func (n *Node) ID() string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.id
}

// Name is this replica's name.
func (n *Node) Name() string { return n.opt.Name }

// SetURL sets where this replica serves HTTP, as the other replicas see
// it; call it before Join.
func (n *Node) SetURL(url string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.opt.URL = url
}

// Clustered reports whether the node shares its database with others.
func (n *Node) Clustered() bool { return !n.single }

// Lease returns the lease of module at the given module version, making it
// on first use; call it before Run.
func (n *Node) Lease(module string, version int) *Lease {
	n.mu.Lock()
	defer n.mu.Unlock()
	if l := n.leases[module]; l != nil {
		return l
	}
	l := newLease(n, module, version)
	if n.single {
		l.gain(store.Fence{})
	}
	n.leases[module] = l
	return l
}

// View is the cluster as the last heartbeat saw it.
func (n *Node) View() View {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.view
}

// Signal tells every replica that name changed (silences, overrides, the
// config): they see it at their next heartbeat.
func (n *Node) Signal(ctx context.Context, name string) error {
	if n.single {
		return nil
	}
	_, err := n.opt.Store.Signal(ctx, name, n.ID())
	return err
}

func (n *Node) schemaBehind() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.behind
}

func (n *Node) allLeases() []*Lease {
	n.mu.Lock()
	defer n.mu.Unlock()
	out := make([]*Lease, 0, len(n.leases))
	for _, l := range n.leases {
		out = append(out, l)
	}
	return out
}

func (n *Node) member() store.Member {
	n.mu.Lock()
	defer n.mu.Unlock()
	mods := make(map[string]int, len(n.leases))
	for name, l := range n.leases {
		if l.group != "" {
			name = l.group // a shard set is one module
		}
		mods[name] = l.version
	}
	host, _ := os.Hostname()
	return store.Member{ID: n.id, Name: n.opt.Name, Host: host, URL: n.opt.URL, Version: n.opt.Version,
		Modules: mods, SchemaVersion: store.SchemaVersion()}
}

func randomSuffix() string {
	b := make([]byte, 6)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// Holder says where the replica holding module's lease serves, as of the
// last heartbeat, and whether it is this one. ok is false while nobody
// holds it.
func (n *Node) Holder(module string) (url string, self, ok bool) {
	n.mu.Lock()
	l := n.leases[module]
	n.mu.Unlock()
	if l != nil {
		if _, held := l.Held(); held {
			return n.opt.URL, true, true
		}
	}
	v := n.View()
	lease, found := v.Leases[module]
	if !found || lease.Holder == "" || !lease.Expires.After(v.Now) {
		return "", false, false
	}
	for _, m := range v.Members {
		if m.ID == lease.Holder && m.Gone.IsZero() {
			return m.URL, false, m.URL != ""
		}
	}
	return "", false, false
}
