package slo

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

// TestCountSourceCache: complete hour and day ranges are reused for
// segmentTTL, so late credit to a past hour shows within ten minutes,
// while the current bucket is read every time.
func TestCountSourceCache(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "v.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	slos := loadSLOs(t, shop999)
	now := time.Date(2026, 11, 23, 10, 37, 0, 0, time.UTC)
	add := func(at time.Time, good, total int64) {
		if err := st.AddSLOBuckets(ctx, bucketsOf(slos[0].Key(), at, good, total)); err != nil {
			t.Fatal(err)
		}
	}
	add(now.Add(-5*time.Hour), 100, 100)
	src := &countSource{store: st}
	read := func(at time.Time) Counts {
		r := src.Read(ctx, []Request{{SLO: slos[0], From: at.Add(-6 * time.Hour)}}, at)[0]
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		return r.Counts
	}
	if c := read(now); c.Total != 100 {
		t.Fatalf("first read: %+v", c)
	}
	add(now.Add(-4*time.Hour), 0, 10) // late credit to a complete hour
	add(now, 5, 5)                    // the current hour
	if c := read(now.Add(time.Minute)); c.Total != 105 {
		t.Fatalf("within the TTL: %+v, want the cached past and the fresh current hour (105)", c)
	}
	if c := read(now.Add(segmentTTL + time.Minute)); c.Total != 115 {
		t.Fatalf("after the TTL: %+v, want 115", c)
	}
}
