package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"github.com/vigil-sre/vigil/internal/clock"
	"math"
	"slices"

	"github.com/vigil-sre/vigil/internal/check"
)

// ResultRow is one raw observation of a check. Seq numbers a check's results
// from the first; it picks the result's slot in the check's ring.
type ResultRow struct {
	CheckID int64
	Seq     int64
	check.Result
}

const (
	upsertResultsHead = `INSERT INTO results (check_id, slot, seq, at_ms, dur_us, status, error, reason, conditions)`
	upsertResultsTail = `ON CONFLICT (check_id, slot) DO UPDATE SET seq = excluded.seq, at_ms = excluded.at_ms,
		dur_us = excluded.dur_us, status = excluded.status, error = excluded.error, reason = excluded.reason,
		conditions = excluded.conditions`
	upsertResultsCols = 9

	selectRecentResults = `SELECT check_id, seq, at_ms, dur_us, status, error, reason, conditions
		FROM results WHERE check_id = ? ORDER BY seq DESC LIMIT ?`
)

// RecentResults returns up to limit of the check's kept results, newest (highest
// Seq) first; limit <= 0 means all kept. A check without results yields an
// empty slice, not ErrNotFound. It returns a wrapped error if the query fails or
// stored conditions do not decode.
func (s *Store) RecentResults(ctx context.Context, checkID int64, limit int) ([]ResultRow, error) {
	defer s.observe("recent_results", clock.Start())
	if limit <= 0 {
		limit = math.MaxInt32
	}
	rows, err := s.r.QueryContext(ctx, s.q.recentResults, checkID, limit)
	if err != nil {
		return nil, fmt.Errorf("store: recent results: %w", err)
	}
	defer rows.Close()
	var out []ResultRow
	for rows.Next() {
		var r ResultRow
		var at, dur int64
		var status, conds string
		if err := rows.Scan(&r.CheckID, &r.Seq, &at, &dur, &status, &r.Error, &r.Reason, &conds); err != nil {
			return nil, fmt.Errorf("store: recent results: %w", err)
		}
		r.At, r.Duration, r.Status = fromMS(at), fromUS(dur), check.Status(status)
		if conds != "" {
			if err := json.Unmarshal([]byte(conds), &r.Conditions); err != nil {
				return nil, fmt.Errorf("store: recent results: check %d seq %d conditions: %w", r.CheckID, r.Seq, err)
			}
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: recent results: %w", err)
	}
	return out, nil
}

// writeResults upserts results into their ring slots. When one batch holds two
// results for the same slot, the higher Seq wins (one statement may not touch a
// row twice).
func (s *Store) writeResults(ctx context.Context, tx *sql.Tx, results []ResultRow, keep int) error {
	if len(results) == 0 {
		return nil
	}
	type slotKey struct{ check, slot int64 }
	bySlot := make(map[slotKey]int, len(results))
	for i, r := range results {
		k := slotKey{r.CheckID, ringSlot(r.Seq, keep)}
		if j, ok := bySlot[k]; !ok || r.Seq >= results[j].Seq {
			bySlot[k] = i
		}
	}
	keys := make([]slotKey, 0, len(bySlot))
	for k := range bySlot {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b slotKey) int {
		return cmp.Or(cmp.Compare(a.check, b.check), cmp.Compare(a.slot, b.slot))
	})
	args := make([]any, 0, upsertResultsCols*len(keys))
	for _, k := range keys {
		r := results[bySlot[k]]
		conds := ""
		if len(r.Conditions) > 0 {
			b, err := json.Marshal(r.Conditions)
			if err != nil {
				return fmt.Errorf("check %d seq %d conditions: %w", r.CheckID, r.Seq, err)
			}
			conds = string(b)
		}
		args = append(args, k.check, k.slot, r.Seq, toMS(r.At), toUS(r.Duration), string(r.Status), r.Error, r.Reason, conds)
	}
	return s.q.upResults.exec(ctx, tx, args)
}

func ringSlot(seq int64, keep int) int64 {
	k := int64(keep)
	return (seq%k + k) % k
}
