package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// CheckOwner is which replica probes a check, since when, at which epoch.
type CheckOwner struct {
	CheckID int64
	Owner   string // a member id; "" when released
	Epoch   int64
	Since   time.Time
}

const (
	selectOwners = `SELECT check_id, owner, epoch, since_ms FROM check_owners`
	insertOwner  = `INSERT INTO check_owners (check_id, owner, epoch, since_ms) VALUES (?, '', 0, 0) ON CONFLICT (check_id) DO NOTHING`
)

// TakeChecks makes owner the prober of the checks of ids that are free:
// never owned, released, owned by owner already, or owned by a member not
// in alive. Each taken check gets the next epoch. It returns the epochs of
// the checks taken; a check another live member still holds is not taken
// (that member releases it at its next heartbeat, then it is free).
func (s *Store) TakeChecks(ctx context.Context, owner string, ids []int64, alive []string) (map[int64]int64, error) {
	defer s.observe("take_checks", clock.Start())
	out := map[int64]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	ids = slices.Sorted(slices.Values(ids)) // one lock order for every replica
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		ins, err := tx.PrepareContext(ctx, s.d.rebind(insertOwner))
		if err != nil {
			return err
		}
		defer ins.Close()
		for _, id := range ids {
			if _, err := ins.ExecContext(ctx, id); err != nil {
				return err
			}
		}
		for chunk := range slices.Chunk(ids, 500) {
			args := []any{owner}
			for _, id := range chunk {
				args = append(args, id)
			}
			args = append(args, owner)
			for _, m := range alive {
				args = append(args, m)
			}
			notAlive := ""
			if len(alive) > 0 {
				notAlive = ` OR owner NOT IN (?` + strings.Repeat(",?", len(alive)-1) + `)`
			}
			q := `UPDATE check_owners SET owner = ?, epoch = epoch + 1, since_ms = NOW_MS
				WHERE check_id IN (?` + strings.Repeat(",?", len(chunk)-1) + `) AND (owner = '' OR owner = ?` + notAlive + `)
				RETURNING check_id, epoch`
			rows, err := tx.QueryContext(ctx, s.d.rebind(s.d.now(q)), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id, epoch int64
				if err := rows.Scan(&id, &epoch); err != nil {
					rows.Close()
					return err
				}
				out[id] = epoch
			}
			if err := errors.Join(rows.Err(), rows.Close()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("store: take checks: %w", err)
	}
	return out, nil
}

// ReleaseChecks gives up owner's checks of ids, so their new owner may take
// them at once.
func (s *Store) ReleaseChecks(ctx context.Context, owner string, ids []int64) error {
	defer s.observe("release_checks", clock.Start())
	if len(ids) == 0 {
		return nil
	}
	ids = slices.Sorted(slices.Values(ids))
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		for chunk := range slices.Chunk(ids, 500) {
			args := []any{owner}
			for _, id := range chunk {
				args = append(args, id)
			}
			q := `UPDATE check_owners SET owner = '' WHERE owner = ? AND check_id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
			if _, err := tx.ExecContext(ctx, s.d.rebind(q), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: release checks: %w", err)
	}
	return nil
}

// CheckOwners lists which replica probes each check.
func (s *Store) CheckOwners(ctx context.Context) ([]CheckOwner, error) {
	defer s.observe("check_owners", clock.Start())
	out, err := queryRows(ctx, s.r, func(sc scanner) (CheckOwner, error) {
		var o CheckOwner
		var since int64
		err := sc.Scan(&o.CheckID, &o.Owner, &o.Epoch, &since)
		o.Since = fromMS(since)
		return o, err
	}, selectOwners+` ORDER BY check_id`)
	if err != nil {
		return nil, fmt.Errorf("store: check owners: %w", err)
	}
	return out, nil
}

// Owned fences a batch of results: it is written for checks that owner
// holds at the epochs given (check id → epoch).
type Owned struct {
	Owner  string
	Epochs map[int64]int64
}

// WriteOwnedBatch writes b as WriteBatch does, except the records of checks
// that o.Owner no longer holds at the epoch it probed them under: those are
// left out and returned, so the monitor stops probing them. On Postgres the
// owner rows stay share-locked until the commit, so a takeover waits for it
// and the new owner reads the state written here.
func (s *Store) WriteOwnedBatch(ctx context.Context, b Batch, keep int, o Owned) (refused []int64, err error) {
	defer s.observe("write_batch", clock.Start())
	if keep < 1 {
		return nil, errors.New("store: write batch: keep must be at least 1")
	}
	if len(b.Results)+len(b.States)+len(b.Events)+len(b.Buckets) == 0 {
		return nil, nil
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		refused = nil
		held, err := s.heldChecks(ctx, tx, o)
		if err != nil {
			return fmt.Errorf("owners: %w", err)
		}
		for id, epoch := range o.Epochs {
			if held[id] != epoch {
				refused = append(refused, id)
			}
		}
		w := b
		if len(refused) > 0 {
			slices.Sort(refused)
			w = b.without(refused)
		}
		return s.writeBatch(ctx, tx, w, keep)
	})
	if err != nil {
		return nil, fmt.Errorf("store: write batch: %w", err)
	}
	return refused, nil
}

// heldChecks reads the epochs at which o.Owner holds the checks of o,
// share-locking their rows.
func (s *Store) heldChecks(ctx context.Context, tx *sql.Tx, o Owned) (map[int64]int64, error) {
	ids := make([]int64, 0, len(o.Epochs))
	for id := range o.Epochs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	held := make(map[int64]int64, len(ids))
	for chunk := range slices.Chunk(ids, 500) {
		args := []any{o.Owner}
		for _, id := range chunk {
			args = append(args, id)
		}
		q := `SELECT check_id, epoch FROM check_owners WHERE owner = ? AND check_id IN (?` + strings.Repeat(",?", len(chunk)-1) + `) ORDER BY check_id` + s.d.shareRows
		rows, err := tx.QueryContext(ctx, s.d.rebind(q), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, epoch int64
			if err := rows.Scan(&id, &epoch); err != nil {
				rows.Close()
				return nil, err
			}
			held[id] = epoch
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, err
		}
	}
	return held, nil
}

// without is b less every record of the checks of ids (sorted).
func (b Batch) without(ids []int64) Batch {
	drop := func(id int64) bool { _, ok := slices.BinarySearch(ids, id); return ok }
	var w Batch
	for _, r := range b.Results {
		if !drop(r.CheckID) {
			w.Results = append(w.Results, r)
		}
	}
	for _, st := range b.States {
		if !drop(st.CheckID) {
			w.States = append(w.States, st)
		}
	}
	for _, e := range b.Events {
		if !drop(e.CheckID) {
			w.Events = append(w.Events, e)
		}
	}
	for _, bk := range b.Buckets {
		if !drop(bk.CheckID) {
			w.Buckets = append(w.Buckets, bk)
		}
	}
	return w
}
