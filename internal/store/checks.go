package store

import (
	"context"
	"database/sql"
	"fmt"
	"github.com/vigil-sre/vigil/internal/clock"
	"maps"
	"slices"
)

// CheckRef names a configured check.
type CheckRef struct{ Service, Name, Kind string }

// CheckKey is the "service/name" key RegisterChecks returns ids under.
func CheckKey(service, name string) string { return service + "/" + name }

const (
	upsertChecksHead = `INSERT INTO checks (service, name, kind)`
	// The WHERE skips rewriting rows whose kind is unchanged (no dead tuples on Postgres).
	upsertChecksTail = `ON CONFLICT (service, name) DO UPDATE SET kind = excluded.kind WHERE checks.kind <> excluded.kind`
	selectCheckIDs   = `SELECT id, service, name FROM checks`
)

// RegisterChecks upserts one row per configured check, updating the kind when
// it changed, and returns their ids keyed by CheckKey(service, name). Ids are
// stable across calls; checks absent from refs keep their rows and history.
// When a ref repeats, the last kind wins. It returns an error if a ref has an
// empty Service or Name, or if the write fails.
func (s *Store) RegisterChecks(ctx context.Context, refs []CheckRef) (map[string]int64, error) {
	defer s.observe("register_checks", clock.Start())
	byKey := make(map[string]CheckRef, len(refs))
	for i, r := range refs {
		if r.Service == "" || r.Name == "" {
			return nil, fmt.Errorf("store: register checks: ref %d has an empty service or name", i)
		}
		byKey[CheckKey(r.Service, r.Name)] = r
	}
	ids := make(map[string]int64, len(byKey))
	if len(byKey) == 0 {
		return ids, nil
	}
	// Sorted so concurrent replicas lock rows in the same order.
	keys := slices.Sorted(maps.Keys(byKey))
	args := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		r := byKey[k]
		args = append(args, r.Service, r.Name, r.Kind)
	}
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := s.q.upChecks.exec(ctx, tx, args); err != nil {
			return err
		}
		return readCheckIDs(ctx, tx, s.q.checkIDs, byKey, ids)
	})
	if err != nil {
		return nil, fmt.Errorf("store: register checks: %w", err)
	}
	return ids, nil
}

// readCheckIDs fills ids for the keys in want.
func readCheckIDs(ctx context.Context, tx *sql.Tx, query string, want map[string]CheckRef, ids map[string]int64) error {
	rows, err := tx.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var service, name string
		if err := rows.Scan(&id, &service, &name); err != nil {
			return err
		}
		k := CheckKey(service, name)
		if _, ok := want[k]; ok {
			ids[k] = id
		}
	}
	return rows.Err()
}
