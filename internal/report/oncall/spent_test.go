package oncall

import (
	"testing"
	"time"
)

// Alerts of one outage, paged and resolved together, are its minutes once;
// separate ones add up.
func TestSpentOnce(t *testing.T) {
	at := time.Date(2026, 12, 6, 9, 0, 0, 0, time.UTC)
	h := func(from, spent time.Duration) Handled { return Handled{FirstPaged: at.Add(from), Spent: spent} }
	for _, tc := range []struct {
		alerts []Handled
		want   time.Duration
	}{
		{nil, 0},
		{[]Handled{h(0, 5*time.Minute), h(0, 5*time.Minute), h(time.Minute, 3*time.Minute)}, 5 * time.Minute},
		{[]Handled{h(time.Hour, 10*time.Minute), h(0, 5*time.Minute)}, 15 * time.Minute},
		{[]Handled{h(0, 5*time.Minute), h(4*time.Minute, 5*time.Minute)}, 9 * time.Minute},
		{[]Handled{h(0, 5*time.Minute), h(5*time.Minute, 5*time.Minute), h(2*time.Hour, 0)}, 10 * time.Minute},
	} {
		if got := spentOnce(tc.alerts); got != tc.want {
			t.Errorf("%v: %v, want %v", tc.alerts, got, tc.want)
		}
	}
}

// An alert someone worked on, in an incident or by resolving it, is not
// offered as noise; one that came and went on its own is.
func TestSelfResolving(t *testing.T) {
	done := time.Date(2026, 12, 6, 9, 5, 0, 0, time.UTC)
	for _, tc := range []struct {
		h    Handled
		want bool
	}{
		{Handled{ResolvedAt: done, ResolvedBy: "alertmanager/prometheus"}, true},
		{Handled{ResolvedAt: done, ResolvedBy: "alertmanager/prometheus", Incidents: []int64{1}}, false},
		{Handled{ResolvedAt: done, ResolvedBy: "person/thach"}, false},
		{Handled{ResolvedAt: done, AckedAt: done}, false},
		{Handled{}, false},
	} {
		if got := selfResolving(tc.h); got != tc.want {
			t.Errorf("%+v: %v, want %v", tc.h, got, tc.want)
		}
	}
}
