package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"
)

// testAlertsSearch: severity, text (a part of the summary or key, any case,
// % and _ taken literally) and suppression, read from the pager's log.
func testAlertsSearch(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	var b AlertBatch
	for i := int64(1); i <= 6; i++ {
		r := alertRow(i, fmt.Sprint("k", i), "firing", time.Duration(i)*time.Minute)
		b.Alerts = append(b.Alerts, r)
	}
	b.Alerts[1].Severity = "warning"
	b.Alerts[2].Summary = "DNS 100%_down on ns1"
	b.Alerts[5].Status = "resolved"
	logs := []struct {
		id           int64
		kind, detail string
	}{
		{1, "suppressed", "silenced by abc"},
		{2, "suppressed", "inhibited"},
		{3, "suppressed", "silenced by abc"}, {3, "unsuppressed", ""},
		{4, "suppressed", "in maintenance window release-night"},
		{5, "suppressed", "inhibited"}, {5, "unsuppressed", ""}, {5, "suppressed", "silenced by def"},
		{6, "suppressed", "silenced by abc"}, // resolved since
	}
	for i, l := range logs {
		b.Log = append(b.Log, AlertLog{ID: int64(i + 1), AlertID: l.id, At: t0, Kind: l.kind, Actor: "vigil", Detail: l.detail})
	}
	writeAlerts(t, s, b)
	cases := []struct {
		name string
		f    AlertFilter
		want []int64
	}{
		{"severity", AlertFilter{Severity: "warning"}, []int64{2}},
		{"text in summary, any case", AlertFilter{Text: "DISK FULL K1"}, []int64{1}},
		{"text in key", AlertFilter{Text: "k5"}, []int64{5}},
		{"% and _ are literal", AlertFilter{Text: "100%_d"}, []int64{3}},
		{"% alone matches only a %", AlertFilter{Text: "%"}, []int64{3}},
		{"silenced or in maintenance, open", AlertFilter{Suppressed: SuppressedSilenced}, []int64{5, 4, 1}},
		{"inhibited", AlertFilter{Suppressed: SuppressedInhibited}, []int64{2}},
		{"silenced and critical", AlertFilter{Suppressed: SuppressedSilenced, Text: "k4"}, []int64{4}},
	}
	for _, c := range cases {
		got, total, err := s.Alerts(ctx, c.f)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if !slices.Equal(idsOf(got), c.want) || total != len(c.want) {
			t.Errorf("%s: %v (total %d), want %v", c.name, idsOf(got), total, c.want)
		}
	}
	// Counting stops past CountUpTo; the rows are still all there.
	if rows, total, err := s.Alerts(ctx, AlertFilter{CountUpTo: 2}); err != nil || total != 3 || len(rows) != 6 {
		t.Errorf("CountUpTo 2 of 6: %d rows, total %d, %v; want 6 rows, total 3", len(rows), total, err)
	}
	if _, total, _ := s.Alerts(ctx, AlertFilter{CountUpTo: 10}); total != 6 {
		t.Errorf("CountUpTo above the matches: total %d, want 6", total)
	}
	got, err := s.AlertSuppressions(ctx, []int64{1, 2, 3, 4, 5, 6, 99})
	want := map[int64]string{1: "silenced by abc", 2: "inhibited", 4: "in maintenance window release-night", 5: "silenced by def"}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("AlertSuppressions = %v, %v; want %v", got, err, want)
	}
	if got, err := s.AlertSuppressions(ctx, nil); err != nil || len(got) != 0 {
		t.Errorf("no ids: %v %v", got, err)
	}
}

// idsOf lists the ids of alert rows, in order.
func idsOf(rs []AlertRow) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}
