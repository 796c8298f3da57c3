package cluster

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Status is the cluster as GET /api/v1/cluster shows it.
type Status struct {
	// Clustered is false on SQLite: one process that holds every lease.
	Clustered bool      `json:"clustered"`
	Self      string    `json:"self"`          // this replica's member id
	Now       time.Time `json:"database_time"` // the clock leases are judged by
	Replicas  []Replica `json:"replicas"`
	Leases    []Held    `json:"leases"`
	// CheckShards is how many shards the checks are split into; their
	// leases are summed up per replica (Replica.Shards), not listed.
	CheckShards int `json:"check_shards,omitempty"`
}

// Replica is one member.
type Replica struct {
	ID            string         `json:"id"`
	Name          string         `json:"name"`
	Host          string         `json:"host,omitempty"`
	URL           string         `json:"url,omitempty"`
	Version       string         `json:"version,omitempty"`
	Modules       map[string]int `json:"modules"`
	SchemaVersion int64          `json:"schema_version"`
	Started       time.Time      `json:"started_at,omitzero"`
	LastSeen      time.Time      `json:"last_seen_at,omitzero"`
	Alive         bool           `json:"alive"`
	Self          bool           `json:"self,omitempty"`
	Owns          []string       `json:"owns"` // modules whose lease it holds
	// Shards are the check shards it holds, Checks the checks in them.
	Shards []int `json:"shards,omitempty"`
	Checks int   `json:"checks,omitempty"`
}

// Held is one module's lease.
type Held struct {
	Module     string    `json:"module"`
	Holder     string    `json:"holder"` // "" when free
	Epoch      int64     `json:"epoch"`
	Version    int       `json:"version"`
	Acquired   time.Time `json:"acquired_at,omitzero"`
	Renewed    time.Time `json:"renewed_at,omitzero"`
	Expires    time.Time `json:"expires_at,omitzero"`
	HeldFor    float64   `json:"held_seconds"` // since acquired, on the database's clock
	RenewedAgo float64   `json:"renewed_seconds_ago"`
	Failovers  int64     `json:"failovers"`
}

// Status reads the members and leases from the store now.
func (n *Node) Status(ctx context.Context) (Status, error) {
	self := n.ID()
	if n.single {
		st := Status{Self: self, Replicas: []Replica{{ID: self, Name: n.opt.Name, Alive: true, Self: true, Modules: map[string]int{}}}}
		for _, l := range n.allLeases() {
			st.Replicas[0].Owns = append(st.Replicas[0].Owns, l.module)
			st.Replicas[0].Modules[l.module] = l.version
			st.Leases = append(st.Leases, Held{Module: l.module, Holder: self, Epoch: 0, Version: l.version})
		}
		slices.Sort(st.Replicas[0].Owns)
		slices.SortFunc(st.Leases, func(a, b Held) int { return strings.Compare(a.Module, b.Module) })
		return st, nil
	}
	s := n.opt.Store
	now, err := s.Now(ctx)
	if err != nil {
		return Status{}, err
	}
	members, err := s.ClusterMembers(ctx)
	if err != nil {
		return Status{}, err
	}
	leases, err := s.Leases(ctx)
	if err != nil {
		return Status{}, err
	}
	st := Status{Clustered: true, Self: self, Now: now, Replicas: []Replica{}, Leases: []Held{}}
	owns := map[string][]string{}
	n.mu.Lock()
	shards := n.shards
	n.mu.Unlock()
	held := map[string][]int{}
	if shards != nil {
		st.CheckShards = shards.Count()
	}
	for _, l := range leases {
		if i := shardOf(shards, l.Module); i >= 0 {
			if l.Holder != "" && l.Expires.After(now) {
				held[l.Holder] = append(held[l.Holder], i)
			}
			continue
		}
		h := Held{Module: l.Module, Holder: l.Holder, Epoch: l.Epoch, Version: l.Version, Failovers: l.Failovers}
		if l.Holder != "" && l.Expires.After(now) {
			h.Acquired, h.Renewed, h.Expires = l.Acquired, l.Renewed, l.Expires
			h.HeldFor, h.RenewedAgo = now.Sub(l.Acquired).Seconds(), now.Sub(l.Renewed).Seconds()
			owns[l.Holder] = append(owns[l.Holder], l.Module)
		} else {
			h.Holder = ""
		}
		st.Leases = append(st.Leases, h)
	}
	for _, m := range members {
		r := Replica{ID: m.ID, Name: m.Name, Host: m.Host, URL: m.URL, Version: m.Version, Modules: m.Modules,
			SchemaVersion: m.SchemaVersion, Started: m.Started, LastSeen: m.LastSeen, Alive: m.Gone.IsZero(),
			Self: m.ID == self, Owns: owns[m.ID], Shards: held[m.ID]}
		slices.Sort(r.Shards)
		if shards != nil && shards.count != nil {
			for _, i := range r.Shards {
				r.Checks += shards.count(i)
			}
		}
		if r.Owns == nil {
			r.Owns = []string{}
		}
		st.Replicas = append(st.Replicas, r)
	}
	return st, nil
}

func shardOf(s *Shards, module string) int {
	if s == nil {
		return -1
	}
	return s.shardIndex(module)
}
