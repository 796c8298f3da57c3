package cluster

import (
	"context"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"

	"github.com/vigil-sre/vigil/internal/store"
)

// Shards divides work (the checks) among the live replicas: a fixed number
// of shards, each a lease of its own ("checks/N") with its own fencing
// epoch. Each replica computes by rendezvous hashing over the live members
// it sees which shards are its; it takes those when they are free, renews
// them, and releases the ones whose owner is now another replica. A replica
// that joins gets its shards at the next renewal of their holders; the
// shards of one that dies are taken once their leases expire.
type Shards struct {
	n       *Node
	group   string
	version int
	leases  []*Lease
	changed chan struct{}
	// count, when set, is how many items (checks) a shard has, for Status.
	count func(shard int) int
	// lead is the module of the lease Follow was given ("leader").
	lead string
}

// Shards makes the shard set group with count shards at the given module
// version; call it before Join. A member runs the set when its modules list
// group at that version.
func (n *Node) Shards(group string, count, version int) *Shards {
	s := &Shards{n: n, group: group, version: version, changed: make(chan struct{}, 1)}
	for i := range count {
		l := n.Lease(group+"/"+strconv.Itoa(i), version)
		l.mu.Lock()
		l.group, l.want, l.moved = group, func() bool { return s.mine(i) }, s.poke
		l.mu.Unlock()
		s.leases = append(s.leases, l)
	}
	n.mu.Lock()
	n.shards = s
	n.mu.Unlock()
	return s
}

// tend renews the shards this replica holds and should keep in one
// statement, hands over those it should not hold, and tries to take the
// free ones that are its own. One statement for all renewals matters: a
// renewal waits for the result writes that share-lock its lease, and one
// at a time they would add up.
func (s *Shards) tend(ctx context.Context) {
	n := s.n
	var renew []store.Fence
	var which []*Lease
	for _, l := range s.leases {
		f, held := l.Held()
		if held && !n.schemaBehind() && l.want() {
			renew, which = append(renew, f), append(which, l)
			continue
		}
		l.tend(ctx) // takes, or hands over
	}
	if len(renew) == 0 {
		return
	}
	sent := n.rt.Now()
	still, err := n.opt.Store.RenewLeases(ctx, n.ID(), renew, n.opt.LeaseTTL)
	for i, l := range which {
		l.renewal(ctx, renew[i], sent, still[renew[i].Module], err)
	}
}

// Follow reports the terms of l (the leader lease) on Changed too.
// While that lease is held by a replica that does not run the shard set
// (an older version, which does all of the work itself), no replica takes
// any shard, so that a rolling upgrade does not probe checks twice.
func (s *Shards) Follow(l *Lease) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.moved = s.poke
	s.lead = l.module
}

// Count is the number of shards.
func (s *Shards) Count() int { return len(s.leases) }

// CountWith sets how many items each shard has, for Status.
func (s *Shards) CountWith(f func(shard int) int) { s.count = f }

// Changed receives a value after this replica gained or lost a shard.
func (s *Shards) Changed() <-chan struct{} { return s.changed }

// Held is the shards this replica holds now, with the fences their writes
// carry.
func (s *Shards) Held() map[int]store.Fence {
	out := map[int]store.Fence{}
	for i, l := range s.leases {
		if f, ok := l.Held(); ok {
			out[i] = f
		}
	}
	return out
}

func (s *Shards) poke() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}

// mine reports whether this replica is shard i's owner by rendezvous
// hashing over the live members that run this shard set at this version
// and know the database's schema, as the last heartbeat saw them.
func (s *Shards) mine(i int) bool {
	return s.owner(s.n.View(), i) == s.n.ID()
}

func (s *Shards) owner(v View, i int) string {
	if s.oldLeader(v) {
		return ""
	}
	best, bestScore := "", uint64(0)
	for _, m := range v.Members {
		if !m.Gone.IsZero() || m.Modules[s.group] != s.version || m.SchemaVersion < v.Schema {
			continue
		}
		h := fnv.New64a()
		fmt.Fprintf(h, "%s/%d", m.ID, i)
		if sc := mix(h.Sum64()); best == "" || sc > bestScore || (sc == bestScore && m.ID < best) {
			best, bestScore = m.ID, sc
		}
	}
	return best
}

// oldLeader reports whether the followed lease is held by a live member
// that does not run this shard set.
func (s *Shards) oldLeader(v View) bool {
	l, ok := v.Leases[s.lead]
	if s.lead == "" || !ok || l.Holder == "" || !l.Expires.After(v.Now) {
		return false
	}
	for _, m := range v.Members {
		if m.ID == l.Holder {
			return m.Gone.IsZero() && m.Modules[s.group] == 0
		}
	}
	return false
}

// mix spreads FNV's output over all 64 bits (splitmix64's finaliser), so
// that ids differing in their last characters do not rank alike.
func mix(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	return x ^ x>>31
}

// ShardOf is the shard of an item (a check's service/name key) among count
// shards.
func ShardOf(key string, count int) int {
	h := fnv.New32a()
	h.Write([]byte(key))
	return int(h.Sum32() % uint32(count))
}

// shardIndex is the shard number of a lease module of the set, or -1.
func (s *Shards) shardIndex(module string) int {
	rest, ok := strings.CutPrefix(module, s.group+"/")
	if !ok {
		return -1
	}
	i, err := strconv.Atoi(rest)
	if err != nil || i < 0 || i >= len(s.leases) {
		return -1
	}
	return i
}
