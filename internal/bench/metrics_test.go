package bench

import (
	"math"
	"testing"
)

func TestQuantileInterpolatesLikePromQL(t *testing.T) {
	h := histogram{count: 100, buckets: []bucket{{0.01, 50}, {0.1, 90}, {1, 99}, {math.Inf(1), 100}}}
	for q, want := range map[float64]float64{0.5: 0.01, 0.7: 0.055, 0.99: 1, 0.995: 1} {
		if got := h.quantile(q); math.Abs(got-want) > 1e-9 {
			t.Errorf("q%v = %v, want %v", q, got, want)
		}
	}
	if got := h.fractionBelow(1); got != 0.99 {
		t.Errorf("share under 1s = %v", got)
	}
	old := histogram{count: 40, buckets: []bucket{{0.01, 40}, {0.1, 40}, {1, 40}, {math.Inf(1), 40}}}
	if d := h.minus(old); d.count != 60 || d.buckets[0].count != 10 || d.quantile(0.5) <= 0.01 {
		t.Errorf("difference %+v", d)
	}
}

func TestMedian(t *testing.T) {
	m := Median([]ChecksReport{{CPUCores: 0.5, PeakRSSMiB: 300}, {CPUCores: 0.3, PeakRSSMiB: 100}, {CPUCores: 0.4, PeakRSSMiB: 200}})
	if m.Runs != 3 || m.CPUCores != 0.4 || m.PeakRSSMiB != 200 {
		t.Fatalf("%+v", m)
	}
}
