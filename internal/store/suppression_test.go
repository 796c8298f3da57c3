package store

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
)

// testAlertsSearch: severity, text (a part of the summary or key, any case,
// % and _ taken literally) and suppression, as the pager stored it.
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
	held := map[int64]alert.Suppression{
		1: {SilencedBy: []string{"abc"}},
		2: {Inhibited: true},
		4: {Maintenance: "release-night"},
		5: {SilencedBy: []string{"def"}, Inhibited: true},
		6: {SilencedBy: []string{"abc"}}, // resolved since
	}
	for i := range b.Alerts {
		b.Alerts[i].Suppression = held[b.Alerts[i].ID]
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
}

// idsOf lists the ids of alert rows, in order.
func idsOf(rs []AlertRow) []int64 {
	var out []int64
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}
