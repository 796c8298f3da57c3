package monitor

import (
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/store"
)

// sum adds up the deltas per resolution.
func sum(bs []store.Bucket) map[store.Resolution]store.Bucket {
	out := map[store.Resolution]store.Bucket{}
	for _, b := range bs {
		s := out[b.Res]
		s.N += b.N
		s.Fails += b.Fails
		s.UpMs += b.UpMs
		s.DownMs += b.DownMs
		out[b.Res] = s
	}
	return out
}

func TestRollupCreditsPreviousStatus(t *testing.T) {
	prev := time.Date(2026, 11, 23, 9, 0, 10, 0, time.UTC)
	r := check.Result{At: prev.Add(30 * time.Second), Status: check.Fail, Duration: 5 * time.Millisecond}
	got := sum(rollupDeltas(7, prev, check.Pass, r, time.Hour))
	for _, res := range []store.Resolution{store.Minute, store.Hour, store.Day} {
		if g := got[res]; g.N != 1 || g.Fails != 1 || g.UpMs != 30000 || g.DownMs != 0 {
			t.Errorf("%s: %+v", res, g)
		}
	}
}

func TestRollupSplitsAcrossBoundaries(t *testing.T) {
	prev := time.Date(2026, 11, 23, 23, 59, 30, 0, time.UTC)
	r := check.Result{At: prev.Add(90 * time.Second), Status: check.Pass}
	deltas := rollupDeltas(1, prev, check.Fail, r, time.Hour)
	perBucket := map[store.Resolution]map[time.Time]int64{}
	for _, b := range deltas {
		if b.DownMs == 0 {
			continue // the result's own count, not time
		}
		if perBucket[b.Res] == nil {
			perBucket[b.Res] = map[time.Time]int64{}
		}
		perBucket[b.Res][b.Start] += b.DownMs
	}
	day1 := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	day2 := day1.Add(24 * time.Hour)
	if d := perBucket[store.Day]; d[day1] != 30000 || d[day2] != 60000 {
		t.Fatalf("day split %v", d)
	}
	if m := perBucket[store.Minute]; len(m) != 2 || m[day2] != 60000 {
		t.Fatalf("minute split %v", m)
	}
}

func TestRollupCapsGaps(t *testing.T) {
	prev := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	r := check.Result{At: prev.Add(3 * time.Hour), Status: check.Pass}
	got := sum(rollupDeltas(1, prev, check.Pass, r, 2*time.Minute))
	if got[store.Hour].UpMs != 120000 {
		t.Fatalf("gap not capped: %+v", got[store.Hour])
	}
}

func TestRollupFirstResultHasNoTime(t *testing.T) {
	r := check.Result{At: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), Status: check.Pass}
	got := sum(rollupDeltas(1, time.Time{}, "", r, time.Hour))
	if got[store.Minute].N != 1 || got[store.Minute].UpMs != 0 {
		t.Fatalf("%+v", got[store.Minute])
	}
}
