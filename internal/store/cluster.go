package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// ErrFenced is returned (wrapped) by a write made under a lease, a claim or
// a check's ownership that its writer no longer holds: the transaction was
// rolled back and nothing of it is stored. The writer must step down.
var ErrFenced = errors.New("fenced: this replica no longer holds the work it wrote for")

// Member is one replica as the cluster tables know it. Times are the
// database's clock.
type Member struct {
	ID            string
	Name          string
	Host          string
	URL           string
	Version       string
	Modules       map[string]int // module → version it runs
	SchemaVersion int64
	ConfigHash    string
	Started       time.Time
	LastSeen      time.Time
	Gone          time.Time // zero while alive
}

// Lease is a module's lease: who holds it, since when and until when, and
// the epoch that fences the holder's writes.
type Lease struct {
	Module    string
	Holder    string // "" when released
	Epoch     int64
	Version   int
	Acquired  time.Time
	Renewed   time.Time
	Expires   time.Time
	Failovers int64
}

// Fence names the lease a write is made under. The zero Fence checks
// nothing: a single node holds every lease for good.
type Fence struct {
	Module string
	Holder string
	Epoch  int64
}

// Heartbeat is what one heartbeat learned.
type Heartbeat struct {
	Now     time.Time        // the database's clock
	Members []Member         // alive and recently gone, oldest first
	Signals map[string]int64 // broadcast signals by name: their generations
	Schema  int64            // the newest migration applied to the database
	Gone    bool             // this member had been declared gone: it must rejoin
	Leases  map[string]Lease // every lease, by module
}

const (
	clusterMemberCols = `id, name, host, url, version, modules, schema_version, config_hash, started_ms, last_seen_ms, gone_ms`
	upsertMember      = `INSERT INTO cluster_members (` + clusterMemberCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NOW_MS, NOW_MS, 0)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, host = excluded.host, url = excluded.url,
		version = excluded.version, modules = excluded.modules, schema_version = excluded.schema_version,
		config_hash = excluded.config_hash, last_seen_ms = excluded.last_seen_ms
		WHERE cluster_members.gone_ms = 0`
	markGone = `UPDATE cluster_members SET gone_ms = NOW_MS WHERE gone_ms = 0 AND last_seen_ms < NOW_MS - ?`
	// A gone member's claims on notifications end with it: due at once for
	// whoever claims next, rather than at the end of the sending deadline.
	releaseGoneClaims = `UPDATE notifications SET claimed_by = '', claim_until_ms = 0, next_attempt_ms = NOW_MS
		WHERE status = 'pending' AND claimed_by <> '' AND claimed_by IN (SELECT id FROM cluster_members WHERE gone_ms <> 0)`
	forgetMembers        = `DELETE FROM cluster_members WHERE gone_ms <> 0 AND gone_ms < NOW_MS - ?`
	selectClusterMembers = `SELECT ` + clusterMemberCols + ` FROM cluster_members ORDER BY started_ms, id`
	selectSignals        = `SELECT name, generation FROM cluster_signals`
	selectSchema         = `SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied`
	selectNow            = `SELECT NOW_MS`

	leaseCols    = `module, holder, epoch, version, acquired_ms, renewed_ms, expires_ms, failovers`
	insertLease  = `INSERT INTO cluster_leases (` + leaseCols + `) VALUES (?, '', 0, 0, 0, 0, 0, 0) ON CONFLICT (module) DO NOTHING`
	renewLease   = `UPDATE cluster_leases SET expires_ms = NOW_MS + ?, renewed_ms = NOW_MS WHERE module = ? AND holder = ? AND epoch = ? AND expires_ms > NOW_MS RETURNING ` + leaseCols
	acquireLease = `UPDATE cluster_leases SET holder = ?, epoch = epoch + 1, version = ?, acquired_ms = NOW_MS,
		renewed_ms = NOW_MS, expires_ms = NOW_MS + ?, failovers = failovers + CASE WHEN holder <> '' THEN 1 ELSE 0 END
		WHERE module = ? AND (holder = '' OR expires_ms <= NOW_MS) AND version <= ? RETURNING ` + leaseCols
	releaseLease = `UPDATE cluster_leases SET holder = '', expires_ms = NOW_MS WHERE module = ? AND holder = ? AND epoch = ?`
	selectLeases = `SELECT ` + leaseCols + ` FROM cluster_leases ORDER BY module`
	fenceLease   = `SELECT epoch FROM cluster_leases WHERE module = ? AND holder = ? AND epoch = ? AND expires_ms > NOW_MS`
	bumpSignal   = `INSERT INTO cluster_signals (name, generation, sender, at_ms) VALUES (?, 1, ?, NOW_MS)
		ON CONFLICT (name) DO UPDATE SET generation = cluster_signals.generation + 1, sender = excluded.sender, at_ms = excluded.at_ms
		RETURNING generation`
)

// goneAfterForget is how long a gone member stays listed.
const goneAfterForget = time.Hour

// Beat records that m is alive, on the database's clock, declares gone the
// members silent for longer than ttl, and returns what the cluster looks
// like now. A member declared gone cannot beat again under its id
// (Heartbeat.Gone): it may have been paused past its leases, and must come
// back as a new member.
func (s *Store) Beat(ctx context.Context, m Member, ttl time.Duration) (Heartbeat, error) {
	defer s.observe("cluster_beat", clock.Start())
	var hb Heartbeat
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.d.rebind(s.d.now(markGone)), ttl.Milliseconds())
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n > 0 {
			rel, err := tx.ExecContext(ctx, s.d.now(releaseGoneClaims))
			if err != nil {
				return err
			}
			if n, err := rel.RowsAffected(); err == nil && n > 0 {
				if err := s.notify(ctx, tx, "outbox"); err != nil {
					return err
				}
			}
		}
		res, err = tx.ExecContext(ctx, s.d.rebind(s.d.now(upsertMember)), m.ID, m.Name, m.Host, m.URL, m.Version,
			jsonText(m.Modules, "{}"), m.SchemaVersion, m.ConfigHash)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			hb.Gone = true
		}
		if _, err := tx.ExecContext(ctx, s.d.rebind(s.d.now(forgetMembers)), goneAfterForget.Milliseconds()); err != nil {
			return err
		}
		var now int64
		if err := tx.QueryRowContext(ctx, s.d.now(selectNow)).Scan(&now); err != nil {
			return err
		}
		hb.Now = fromMS(now)
		if hb.Members, err = queryRows(ctx, tx, scanMember, selectClusterMembers); err != nil {
			return err
		}
		hb.Signals = map[string]int64{}
		rows, err := tx.QueryContext(ctx, selectSignals)
		if err != nil {
			return err
		}
		for rows.Next() {
			var name string
			var gen int64
			if err := rows.Scan(&name, &gen); err != nil {
				rows.Close()
				return err
			}
			hb.Signals[name] = gen
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, selectSchema).Scan(&hb.Schema); err != nil {
			return err
		}
		leases, err := queryRows(ctx, tx, scanLease, selectLeases)
		hb.Leases = make(map[string]Lease, len(leases))
		for _, l := range leases {
			hb.Leases[l.Module] = l
		}
		return err
	})
	if err != nil {
		return Heartbeat{}, fmt.Errorf("store: cluster heartbeat: %w", err)
	}
	return hb, nil
}

// ClusterMembers lists the replicas, alive and recently gone, oldest first.
func (s *Store) ClusterMembers(ctx context.Context) ([]Member, error) {
	defer s.observe("cluster_members", clock.Start())
	out, err := queryRows(ctx, s.r, scanMember, selectClusterMembers)
	if err != nil {
		return nil, fmt.Errorf("store: cluster members: %w", err)
	}
	return out, nil
}

// Leases lists every module's lease.
func (s *Store) Leases(ctx context.Context) ([]Lease, error) {
	defer s.observe("cluster_leases", clock.Start())
	out, err := queryRows(ctx, s.r, scanLease, selectLeases)
	if err != nil {
		return nil, fmt.Errorf("store: cluster leases: %w", err)
	}
	return out, nil
}

// Now reads the database's clock.
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	var ms int64
	if err := s.w.QueryRowContext(ctx, s.d.now(selectNow)).Scan(&ms); err != nil {
		return time.Time{}, fmt.Errorf("store: database clock: %w", err)
	}
	return fromMS(ms), nil
}

// TakeLease renews the lease of module that holder holds at epoch, or, with
// epoch 0, takes it when it is free: released, or expired on the database's
// clock. A new holder gets the next epoch. A module whose lease has been
// held by a newer version (a rolling upgrade) is not taken by an older one.
// It reports the lease and whether holder holds it now; a renewal that
// finds the lease expired or taken reports false, and the holder must stop
// at once.
func (s *Store) TakeLease(ctx context.Context, module, holder string, epoch int64, version int, ttl time.Duration) (Lease, bool, error) {
	defer s.observe("cluster_lease", clock.Start())
	var l Lease
	held := false
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var q string
		var args []any
		if epoch > 0 {
			q, args = renewLease, []any{ttl.Milliseconds(), module, holder, epoch}
		} else {
			if _, err := tx.ExecContext(ctx, s.d.rebind(insertLease), module); err != nil {
				return err
			}
			q, args = acquireLease, []any{holder, version, ttl.Milliseconds(), module, version}
		}
		var err error
		l, err = scanLease(tx.QueryRowContext(ctx, s.d.rebind(s.d.now(q)), args...))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return nil
		case err != nil:
			return err
		}
		held = true
		return nil
	})
	if err != nil {
		return Lease{}, false, fmt.Errorf("store: lease %s: %w", module, err)
	}
	return l, held, nil
}

// ReleaseLease gives up a lease held at epoch, so another replica takes it
// without waiting for it to expire (a clean shutdown).
func (s *Store) ReleaseLease(ctx context.Context, module, holder string, epoch int64) error {
	defer s.observe("cluster_release", clock.Start())
	_, err := s.w.ExecContext(ctx, s.d.rebind(s.d.now(releaseLease)), module, holder, epoch)
	if err != nil {
		return fmt.Errorf("store: release lease %s: %w", module, err)
	}
	return nil
}

// Signal bumps a broadcast signal's generation; every replica sees the new
// one at its next heartbeat.
func (s *Store) Signal(ctx context.Context, name, sender string) (int64, error) {
	defer s.observe("cluster_signal", clock.Start())
	var gen int64
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.d.rebind(s.d.now(bumpSignal)), name, sender).Scan(&gen); err != nil {
			return err
		}
		return s.notify(ctx, tx, "signal")
	})
	if err != nil {
		return 0, fmt.Errorf("store: signal %s: %w", name, err)
	}
	return gen, nil
}

// checkFence fails with ErrFenced unless f's holder still holds its lease
// at its epoch on the database's clock. On Postgres the lease row stays
// share-locked until the transaction ends, so a takeover (an UPDATE of the
// row) waits for this commit, and the new holder reads what it wrote.
func (s *Store) checkFence(ctx context.Context, tx txn, f Fence) error {
	if f.Module == "" {
		return nil
	}
	var epoch int64
	err := tx.QueryRowContext(ctx, s.d.rebind(s.d.now(fenceLease)+s.d.shareRows), f.Module, f.Holder, f.Epoch).Scan(&epoch)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w (lease %s at epoch %d)", ErrFenced, f.Module, f.Epoch)
	}
	return err
}

// SchemaVersion is the newest migration this build carries.
func SchemaVersion() int64 {
	n, _ := maxEmbeddedVersion()
	return n
}

func scanMember(sc scanner) (Member, error) {
	var m Member
	var modules string
	var started, seen, gone int64
	err := sc.Scan(&m.ID, &m.Name, &m.Host, &m.URL, &m.Version, &modules, &m.SchemaVersion, &m.ConfigHash, &started, &seen, &gone)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal([]byte(modules), &m.Modules); err != nil {
		return m, fmt.Errorf("modules of member %s: %w", m.ID, err)
	}
	m.Started, m.LastSeen, m.Gone = fromMS(started), fromMS(seen), fromMS(gone)
	return m, nil
}

func scanLease(sc scanner) (Lease, error) {
	var l Lease
	var acquired, renewed, expires int64
	err := sc.Scan(&l.Module, &l.Holder, &l.Epoch, &l.Version, &acquired, &renewed, &expires, &l.Failovers)
	l.Acquired, l.Renewed, l.Expires = fromMS(acquired), fromMS(renewed), fromMS(expires)
	return l, err
}

// RenewLeases renews, in one transaction, the leases holder holds at the
// fences' epochs, and reports which it still holds (by module). The rows
// are locked in module order first, as fenced writes share-lock them, so
// that a renewal and a write cannot deadlock.
func (s *Store) RenewLeases(ctx context.Context, holder string, fences []Fence, ttl time.Duration) (map[string]bool, error) {
	defer s.observe("cluster_renew", clock.Start())
	held := map[string]bool{}
	if len(fences) == 0 {
		return held, nil
	}
	want := make(map[string]int64, len(fences))
	args := []any{}
	for _, f := range fences {
		want[f.Module] = f.Epoch
	}
	for _, m := range slices.Sorted(maps.Keys(want)) {
		args = append(args, m)
	}
	in := strings.TrimSuffix(strings.Repeat("?,", len(args)), ",")
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		clear(held)
		rows, err := tx.QueryContext(ctx, s.d.rebind(`SELECT module FROM cluster_leases WHERE module IN (`+in+`) ORDER BY module`+s.d.lockRows), args...)
		if err != nil {
			return err
		}
		if err := rows.Close(); err != nil {
			return err
		}
		q := `UPDATE cluster_leases SET expires_ms = NOW_MS + ?, renewed_ms = NOW_MS
			WHERE holder = ? AND expires_ms > NOW_MS AND module IN (` + in + `) RETURNING module, epoch`
		rows, err = tx.QueryContext(ctx, s.d.rebind(s.d.now(q)), append([]any{ttl.Milliseconds(), holder}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m string
			var epoch int64
			if err := rows.Scan(&m, &epoch); err != nil {
				return err
			}
			if want[m] == epoch {
				held[m] = true
			}
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("store: renew %d leases: %w", len(fences), err)
	}
	return held, nil
}
