package burn

import (
	"testing"
	"time"
)

const day = 24 * time.Hour

// The workbook's table for 30 days, and Sloth's way of deriving it for
// other windows from the budget shares (2%, 5%, 10%, 10%).
func TestRulesFollowTheWindow(t *testing.T) {
	cases := []struct {
		period time.Duration
		want   []float64
	}{
		{30 * day, []float64{14.4, 6, 3, 1}},
		{28 * day, []float64{13.44, 5.6, 2.8, 0.9333}}, // 0.02×672, 0.05×672/6, 0.1×28, 0.1×28/3
		{90 * day, []float64{43.2, 18, 9, 3}},          // three times the 30-day factors
		{7 * day, []float64{3.36, 1.4, 0.7, 0.2333}},   // a week's budget is small: 10% of it goes fast
		{365 * day, []float64{175.2, 73, 36.5, 12.1667}},
	}
	for _, c := range cases {
		rules := Rules(DefaultSpecs(), c.period)
		for i, r := range rules {
			if r.Factor != c.want[i] {
				t.Errorf("period %v rule %s: factor %v, want %v", c.period, r.Name(), r.Factor, c.want[i])
			}
		}
	}
	if got := Longest(Rules(DefaultSpecs(), 30*day)); got != 3*day {
		t.Errorf("longest = %v, want 3d", got)
	}
}

func TestFactorGivenDirectlyIsKept(t *testing.T) {
	r := Rules([]Spec{{Severity: Page, Long: time.Hour, Short: 5 * time.Minute, Factor: 20}}, 7*day)
	if r[0].Factor != 20 || r[0].BudgetPercent != 0 || r[0].Name() != "page-1h" {
		t.Errorf("rule = %+v", r[0])
	}
}

// The workbook's worked examples: a 99.9% SLO with a 0.1% error rate burns
// at 1×; at 1.44% errors (burn 14.4) an hour consumes 2% of the 30-day budget.
func TestRate(t *testing.T) {
	cases := []struct{ errRatio, objective, want float64 }{
		{0.001, 99.9, 1},
		{0.0144, 99.9, 14.4},
		{0.006, 99.9, 6},
		{1, 99.9, 1000},
		{0, 99.9, 0},
		{0.05, 95, 1},
	}
	for _, c := range cases {
		if got := Rate(c.errRatio, c.objective); got < c.want-1e-9 || got > c.want+1e-9 {
			t.Errorf("Rate(%v, %v) = %v, want %v", c.errRatio, c.objective, got, c.want)
		}
	}
	// 2% of a 30-day budget in an hour at 14.4×: 14.4 × 1h / 720h.
	if spent := 14.4 * 1 / 720.0; spent < 0.02-1e-12 || spent > 0.02+1e-12 {
		t.Errorf("spent %v", spent)
	}
}
