package store

import (
	"context"
	"reflect"
	"testing"
	"time"
)

// testSLOBuckets: counts add up per bucket, sums select [from, to) per SLO
// and resolution, the timeline is one SLO's, and pruning drops old buckets only.
func testSLOBuckets(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	m := t0.Truncate(time.Minute)
	write := []SLOBucket{
		{SLO: "shop/checkout", Res: Minute, Start: m, Good: 9, Total: 10},
		{SLO: "shop/checkout", Res: Minute, Start: m, Good: 5, Total: 5},
		{SLO: "shop/checkout", Res: Minute, Start: m.Add(time.Minute), Good: 0, Total: 3},
		{SLO: "shop/search", Res: Minute, Start: m, Good: 1, Total: 1},
		{SLO: "shop/checkout", Res: Hour, Start: t0.Truncate(time.Hour), Good: 14, Total: 18},
	}
	if err := s.AddSLOBuckets(ctx, write); err != nil {
		t.Fatal(err)
	}
	if err := s.AddSLOBuckets(ctx, []SLOBucket{{SLO: "x", Res: "week", Start: m}}); err == nil {
		t.Error("an unknown resolution was accepted")
	}
	sum, err := s.SumSLOBuckets(ctx, Minute, m, m.Add(2*time.Minute))
	if want := map[string]SLOCounts{"shop/checkout": {14, 18}, "shop/search": {1, 1}}; err != nil || !reflect.DeepEqual(sum, want) {
		t.Errorf("sum = %v (%v), want %v", sum, err, want)
	}
	sum, _ = s.SumSLOBuckets(ctx, Minute, m.Add(time.Minute), m.Add(2*time.Minute))
	if want := map[string]SLOCounts{"shop/checkout": {0, 3}}; !reflect.DeepEqual(sum, want) {
		t.Errorf("sum of the second minute = %v, want %v", sum, want)
	}
	tl, err := s.SLOTimeline(ctx, "shop/checkout", Minute, m, m.Add(time.Hour))
	if err != nil || len(tl) != 2 || tl[0].Good != 14 || tl[0].Total != 15 || !tl[1].Start.Equal(m.Add(time.Minute)) {
		t.Errorf("timeline = %+v (%v)", tl, err)
	}
	n, err := s.PruneSLOBuckets(ctx, Minute, m.Add(time.Minute))
	if err != nil || n != 2 {
		t.Errorf("pruned %d (%v), want 2", n, err)
	}
	if sum, _ := s.SumSLOBuckets(ctx, Hour, t0.Add(-time.Hour), t0.Add(time.Hour)); sum["shop/checkout"] != (SLOCounts{14, 18}) {
		t.Errorf("hour buckets = %v, want untouched", sum)
	}
}
