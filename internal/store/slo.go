package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
)

// SLOBucket is what an SLO's counted events add to one rollup bucket.
type SLOBucket struct {
	SLO         string // service/id
	Res         Resolution
	Start       time.Time // aligned by the caller
	Good, Total int64
}

// SLOCounts sums good and total events.
type SLOCounts struct{ Good, Total int64 }

const (
	upsertSLOBucket = `INSERT INTO slo_buckets (slo, res_s, start_ms, good, total) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (res_s, start_ms, slo) DO UPDATE SET good = slo_buckets.good + excluded.good,
		total = slo_buckets.total + excluded.total`
	sumSLOBuckets = `SELECT slo, CAST(SUM(good) AS BIGINT), CAST(SUM(total) AS BIGINT) FROM slo_buckets
		WHERE res_s = ? AND start_ms >= ? AND start_ms < ? GROUP BY slo`
	sloTimeline = `SELECT start_ms, good, total FROM slo_buckets
		WHERE slo = ? AND res_s = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms`
	pruneSLOBuckets = `DELETE FROM slo_buckets WHERE res_s = ? AND start_ms < ?`
)

// AddSLOBuckets adds counts to SLO buckets in one transaction, so a batch of
// pushed events is stored whole or not at all. It returns an error for an
// unknown resolution and a wrapped error if the write fails.
func (s *Store) AddSLOBuckets(ctx context.Context, deltas []SLOBucket) error {
	defer s.observe("add_slo_buckets", clock.Start())
	if len(deltas) == 0 {
		return nil
	}
	// A fixed order keeps two writers from locking rows in opposite orders.
	deltas = slices.Clone(deltas)
	slices.SortFunc(deltas, func(a, b SLOBucket) int {
		if c := strings.Compare(string(a.Res), string(b.Res)); c != 0 {
			return c
		}
		if c := a.Start.Compare(b.Start); c != 0 {
			return c
		}
		return strings.Compare(a.SLO, b.SLO)
	})
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		st, err := tx.PrepareContext(ctx, s.d.rebind(upsertSLOBucket))
		if err != nil {
			return err
		}
		defer st.Close()
		for _, d := range deltas {
			sec, err := d.Res.seconds()
			if err != nil {
				return err
			}
			if _, err := st.ExecContext(ctx, d.SLO, sec, toMS(d.Start), d.Good, d.Total); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: add slo buckets: %w", err)
	}
	return nil
}

// SumSLOBuckets returns, per SLO, the counts of its res buckets with
// from <= Start < to. SLOs without buckets there are absent.
func (s *Store) SumSLOBuckets(ctx context.Context, res Resolution, from, to time.Time) (map[string]SLOCounts, error) {
	defer s.observe("sum_slo_buckets", clock.Start())
	sec, err := res.seconds()
	if err != nil {
		return nil, fmt.Errorf("store: sum slo buckets: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, s.d.rebind(sumSLOBuckets), sec, toMS(from), toMS(to))
	if err != nil {
		return nil, fmt.Errorf("store: sum slo buckets: %w", err)
	}
	defer rows.Close()
	out := map[string]SLOCounts{}
	for rows.Next() {
		var key string
		var c SLOCounts
		if err := rows.Scan(&key, &c.Good, &c.Total); err != nil {
			return nil, fmt.Errorf("store: sum slo buckets: %w", err)
		}
		out[key] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: sum slo buckets: %w", err)
	}
	return out, nil
}

// SLOTimeline returns one SLO's res buckets with from <= Start < to, oldest first.
func (s *Store) SLOTimeline(ctx context.Context, slo string, res Resolution, from, to time.Time) ([]SLOBucket, error) {
	defer s.observe("slo_timeline", clock.Start())
	sec, err := res.seconds()
	if err != nil {
		return nil, fmt.Errorf("store: slo timeline: %w", err)
	}
	out, err := queryRows(ctx, s.r, func(row scanner) (SLOBucket, error) {
		b := SLOBucket{SLO: slo, Res: res}
		var start int64
		err := row.Scan(&start, &b.Good, &b.Total)
		b.Start = fromMS(start)
		return b, err
	}, s.d.rebind(sloTimeline), slo, sec, toMS(from), toMS(to))
	if err != nil {
		return nil, fmt.Errorf("store: slo timeline: %w", err)
	}
	return out, nil
}

// PruneSLOBuckets deletes the res SLO buckets that start before before.
func (s *Store) PruneSLOBuckets(ctx context.Context, res Resolution, before time.Time) (int64, error) {
	defer s.observe("prune_slo_buckets", clock.Start())
	sec, err := res.seconds()
	if err != nil {
		return 0, fmt.Errorf("store: prune slo buckets: %w", err)
	}
	var n int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, s.d.rebind(pruneSLOBuckets), sec, toMS(before))
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune slo buckets: %w", err)
	}
	return n, nil
}
