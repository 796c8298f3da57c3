package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"github.com/vigil-sre/vigil/internal/clock"
	"slices"
	"strings"
	"time"
)

// Resolution is a rollup bucket width.
type Resolution string

const (
	Minute Resolution = "minute"
	Hour   Resolution = "hour"
	Day    Resolution = "day"
)

// seconds is the width stored in buckets.res_s; a compact integer keeps the
// busiest table's key small.
func (r Resolution) seconds() (int, error) {
	switch r {
	case Minute:
		return 60, nil
	case Hour:
		return 3600, nil
	case Day:
		return 86400, nil
	}
	return 0, fmt.Errorf("unknown resolution %q (want minute, hour or day)", r)
}

// Bucket aggregates a check's results whose time falls in [Start, Start+Res).
// Start is stored as given; the caller aligns it.
type Bucket struct {
	CheckID         int64
	Res             Resolution
	Start           time.Time
	N, Fails, Warns int64
	UpMs, DownMs    int64
	DurSum, DurMax  time.Duration
}

// Totals sums a check's buckets over a window.
type Totals struct{ N, Fails, Warns, UpMs, DownMs int64 }

const (
	upsertBucketsHead = `INSERT INTO buckets (check_id, res_s, start_ms, n, fails, warns, up_ms, down_ms, dur_sum_us, dur_max_us)`
	// Buckets are written as deltas: counters add up, the maximum stays the maximum.
	upsertBucketsTail = `ON CONFLICT (res_s, start_ms, check_id) DO UPDATE SET n = buckets.n + excluded.n,
		fails = buckets.fails + excluded.fails, warns = buckets.warns + excluded.warns,
		up_ms = buckets.up_ms + excluded.up_ms, down_ms = buckets.down_ms + excluded.down_ms,
		dur_sum_us = buckets.dur_sum_us + excluded.dur_sum_us,
		dur_max_us = CASE WHEN excluded.dur_max_us > buckets.dur_max_us THEN excluded.dur_max_us ELSE buckets.dur_max_us END`
	upsertBucketsCols = 10

	// Per-check reads go through buckets_check (the %s is the dialect's index
	// hint); window reads over every check use the primary key.
	selectBuckets = `SELECT check_id, start_ms, n, fails, warns, up_ms, down_ms, dur_sum_us, dur_max_us
		FROM buckets%s WHERE check_id = ? AND res_s = ? AND start_ms >= ? AND start_ms < ? ORDER BY start_ms`
	sumBucketsHead = `SELECT check_id, CAST(SUM(n) AS BIGINT), CAST(SUM(fails) AS BIGINT), CAST(SUM(warns) AS BIGINT),
		CAST(SUM(up_ms) AS BIGINT), CAST(SUM(down_ms) AS BIGINT)
		FROM buckets%s WHERE res_s = ? AND start_ms >= ? AND start_ms < ?`
	// Postgres sums BIGINT to NUMERIC; the casts keep both engines scanning into int64.
	sumBucketsTail = ` GROUP BY check_id`
	pruneBuckets   = `DELETE FROM buckets WHERE res_s = ? AND start_ms < ?`

	timelineHead = `SELECT start_ms, CAST(SUM(n) AS BIGINT), CAST(SUM(fails) AS BIGINT), CAST(SUM(warns) AS BIGINT),
		CAST(SUM(up_ms) AS BIGINT), CAST(SUM(down_ms) AS BIGINT)
		FROM buckets%s WHERE res_s = ? AND start_ms >= ? AND start_ms < ?`
	timelineTail = ` GROUP BY start_ms ORDER BY start_ms`

	// sumIDsChunk bounds the IN list of one SumBuckets or Timeline query.
	sumIDsChunk = 500
)

// SumBuckets returns, per check, the totals of its res buckets with
// from <= Start < to. Empty ids means every check. Checks without buckets in the
// window are absent from the map. It returns an error for an unknown resolution
// and a wrapped error if the query fails.
func (s *Store) SumBuckets(ctx context.Context, ids []int64, res Resolution, from, to time.Time) (map[int64]Totals, error) {
	defer s.observe("sum_buckets", clock.Start())
	sec, err := res.seconds()
	if err != nil {
		return nil, fmt.Errorf("store: sum buckets: %w", err)
	}
	out := make(map[int64]Totals)
	window := []any{sec, toMS(from), toMS(to)}
	if len(ids) == 0 {
		return out, s.sumBuckets(ctx, s.q.sumAll, window, out)
	}
	for chunk := range slices.Chunk(ids, sumIDsChunk) {
		// The IN list varies with the chunk, so this query is rebound per call.
		q := s.d.rebind(fmt.Sprintf(sumBucketsHead, s.d.indexedBy("buckets_check")) +
			` AND check_id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)` + sumBucketsTail)
		args := slices.Clone(window)
		for _, id := range chunk {
			args = append(args, id)
		}
		if err := s.sumBuckets(ctx, q, args, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Store) sumBuckets(ctx context.Context, q string, args []any, out map[int64]Totals) error {
	rows, err := s.r.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: sum buckets: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var t Totals
		if err := rows.Scan(&id, &t.N, &t.Fails, &t.Warns, &t.UpMs, &t.DownMs); err != nil {
			return fmt.Errorf("store: sum buckets: %w", err)
		}
		out[id] = t
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: sum buckets: %w", err)
	}
	return nil
}

// Timeline returns the res buckets of several checks summed per bucket start,
// oldest first, with CheckID zero (a service's uptime bars). DurSum and DurMax
// are not summed. It returns an error for an unknown resolution and a wrapped
// error if the query fails.
func (s *Store) Timeline(ctx context.Context, ids []int64, res Resolution, from, to time.Time) ([]Bucket, error) {
	defer s.observe("timeline", clock.Start())
	sec, err := res.seconds()
	if err != nil {
		return nil, fmt.Errorf("store: timeline: %w", err)
	}
	byStart := map[int64]*Bucket{}
	var starts []int64
	for chunk := range slices.Chunk(ids, sumIDsChunk) {
		q := s.d.rebind(fmt.Sprintf(timelineHead, s.d.indexedBy("buckets_check")) +
			` AND check_id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)` + timelineTail)
		args := []any{sec, toMS(from), toMS(to)}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := s.r.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, fmt.Errorf("store: timeline: %w", err)
		}
		for rows.Next() {
			var start int64
			var t Bucket
			if err := rows.Scan(&start, &t.N, &t.Fails, &t.Warns, &t.UpMs, &t.DownMs); err != nil {
				rows.Close()
				return nil, fmt.Errorf("store: timeline: %w", err)
			}
			b, ok := byStart[start]
			if !ok {
				b = &Bucket{Res: res, Start: fromMS(start)}
				byStart[start] = b
				starts = append(starts, start)
			}
			b.N += t.N
			b.Fails += t.Fails
			b.Warns += t.Warns
			b.UpMs += t.UpMs
			b.DownMs += t.DownMs
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("store: timeline: %w", err)
		}
	}
	slices.Sort(starts)
	out := make([]Bucket, 0, len(starts))
	for _, st := range starts {
		out = append(out, *byStart[st])
	}
	return out, nil
}

// Buckets returns one check's res buckets with from <= Start < to, oldest
// first (for uptime bars). It returns an error for an unknown resolution and a
// wrapped error if the query fails.
func (s *Store) Buckets(ctx context.Context, id int64, res Resolution, from, to time.Time) ([]Bucket, error) {
	defer s.observe("buckets", clock.Start())
	sec, err := res.seconds()
	if err != nil {
		return nil, fmt.Errorf("store: buckets: %w", err)
	}
	rows, err := s.r.QueryContext(ctx, s.q.buckets, id, sec, toMS(from), toMS(to))
	if err != nil {
		return nil, fmt.Errorf("store: buckets: %w", err)
	}
	defer rows.Close()
	var out []Bucket
	for rows.Next() {
		b := Bucket{Res: res}
		var start, sum, mx int64
		if err := rows.Scan(&b.CheckID, &start, &b.N, &b.Fails, &b.Warns, &b.UpMs, &b.DownMs, &sum, &mx); err != nil {
			return nil, fmt.Errorf("store: buckets: %w", err)
		}
		b.Start, b.DurSum, b.DurMax = fromMS(start), fromUS(sum), fromUS(mx)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: buckets: %w", err)
	}
	return out, nil
}

// Prune deletes the res buckets that start before before and returns how many
// rows it deleted. It returns an error for an unknown resolution and a wrapped
// error if the delete fails.
func (s *Store) Prune(ctx context.Context, res Resolution, before time.Time) (int64, error) {
	defer s.observe("prune", clock.Start())
	sec, err := res.seconds()
	if err != nil {
		return 0, fmt.Errorf("store: prune: %w", err)
	}
	var n int64
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		r, err := tx.ExecContext(ctx, s.q.prune, sec, toMS(before))
		if err != nil {
			return err
		}
		n, err = r.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("store: prune %s buckets: %w", res, err)
	}
	return n, nil
}

type bucketKey struct {
	check int64
	res   int
	start int64
}

// writeBuckets adds bucket deltas. Deltas for the same bucket are merged here
// first: one upsert statement may not touch a row twice.
func (s *Store) writeBuckets(ctx context.Context, tx *sql.Tx, deltas []Bucket) error {
	if len(deltas) == 0 {
		return nil
	}
	merged := make(map[bucketKey]Bucket, len(deltas))
	for _, d := range deltas {
		sec, err := d.Res.seconds()
		if err != nil {
			return fmt.Errorf("check %d bucket: %w", d.CheckID, err)
		}
		k := bucketKey{d.CheckID, sec, toMS(d.Start)}
		if m, ok := merged[k]; ok {
			d.N += m.N
			d.Fails += m.Fails
			d.Warns += m.Warns
			d.UpMs += m.UpMs
			d.DownMs += m.DownMs
			d.DurSum += m.DurSum
			d.DurMax = max(d.DurMax, m.DurMax)
		}
		merged[k] = d
	}
	keys := make([]bucketKey, 0, len(merged))
	for k := range merged {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b bucketKey) int {
		return cmp.Or(cmp.Compare(a.res, b.res), cmp.Compare(a.start, b.start), cmp.Compare(a.check, b.check))
	})
	args := make([]any, 0, upsertBucketsCols*len(keys))
	for _, k := range keys {
		b := merged[k]
		args = append(args, k.check, k.res, k.start, b.N, b.Fails, b.Warns, b.UpMs, b.DownMs, toUS(b.DurSum), toUS(b.DurMax))
	}
	return s.q.addBuckets.exec(ctx, tx, args)
}
