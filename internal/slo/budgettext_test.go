package slo

import "testing"

// What is left of a budget reads as a person would say it, never as
// -1.419e+04%.
func TestBudgetLeft(t *testing.T) {
	for rem, want := range map[float64]string{
		100:    "100% of the budget remains",
		98.237: "98.2% of the budget remains",
		0.456:  "0.46% of the budget remains",
		0:      "the budget is spent",
		-3:     "the budget is spent",
		-100:   "the budget is spent 2× over",
		-1900:  "the budget is spent 20× over",
		-14190: "the budget is spent 143× over",
		-46660: "the budget is spent 468× over",
	} {
		if got := (Budget{RemainingPercent: &rem}).Left(); got != want {
			t.Errorf("remaining %v%%: %q, want %q", rem, got, want)
		}
	}
	if got := (Budget{}).Left(); got != "" {
		t.Errorf("no data: %q", got)
	}
}
