// Package burn holds the arithmetic of error budgets and multiwindow,
// multi-burn-rate alerting (the SRE workbook's "Alerting on SLOs"): burn
// rates, the default alert table and how its factors follow the SLO's
// window. It is pure, so config validation and evaluation share it.
package burn

import (
	"fmt"
	"math"
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
)

// Severities of burn-rate alerts, in the workbook's words.
const (
	Page   = "page"
	Ticket = "ticket"
)

// Rule is one multiwindow alert: it fires while the burn rate over both
// Long and Short is at least Factor. Short lets it stop soon after the burn
// does; Long keeps a brief blip from paging.
type Rule struct {
	Severity string        `json:"severity"`
	Long     time.Duration `json:"-"`
	Short    time.Duration `json:"-"`
	// BudgetPercent is the share of the whole window's budget that burning
	// at Factor for Long consumes; zero when Factor was given directly.
	BudgetPercent float64 `json:"budget_percent,omitempty"`
	Factor        float64 `json:"factor"`
}

// Name identifies the rule among an SLO's rules, e.g. "page-1h".
func (r Rule) Name() string { return r.Severity + "-" + duration.Format(r.Long) }

func (r Rule) String() string {
	return fmt.Sprintf("%s: %.4g× over %s and %s", r.Severity, r.Factor, duration.Format(r.Long), duration.Format(r.Short))
}

// Spec is a rule as written: the budget share it may consume over its long
// window. Factor, when set, is used as is.
type Spec struct {
	Severity      string
	Long, Short   time.Duration
	BudgetPercent float64
	Factor        float64
}

// DefaultSpecs is the workbook's table for 30 days: 2% of the budget in an
// hour or 5% in six hours pages; 10% in a day or in three days files a ticket.
func DefaultSpecs() []Spec {
	return []Spec{
		{Severity: Page, Long: time.Hour, Short: 5 * time.Minute, BudgetPercent: 2},
		{Severity: Page, Long: 6 * time.Hour, Short: 30 * time.Minute, BudgetPercent: 5},
		{Severity: Ticket, Long: 24 * time.Hour, Short: 2 * time.Hour, BudgetPercent: 10},
		{Severity: Ticket, Long: 72 * time.Hour, Short: 6 * time.Hour, BudgetPercent: 10},
	}
}

// Factor is the burn rate that consumes pct percent of a period's budget in
// long: burning at 1× spends the budget in exactly one period, so spending
// pct% of it in long takes pct/100 × period/long. For 30 days this gives the
// workbook's 14.4, 6, 3 and 1.
func Factor(pct float64, period, long time.Duration) float64 {
	if long <= 0 {
		return math.Inf(1)
	}
	return pct / 100 * period.Hours() / long.Hours()
}

// Rules derives the rules for an SLO whose window (or calendar period) is
// period, keeping each rule's budget share (as Sloth does): a shorter window
// has a smaller budget, so the same share is spent at a lower burn rate.
func Rules(specs []Spec, period time.Duration) []Rule {
	out := make([]Rule, 0, len(specs))
	for _, s := range specs {
		r := Rule{Severity: s.Severity, Long: s.Long, Short: s.Short, Factor: s.Factor}
		if r.Factor == 0 {
			r.BudgetPercent = s.BudgetPercent
			r.Factor = round4(Factor(s.BudgetPercent, period, s.Long))
		}
		out = append(out, r)
	}
	return out
}

// Longest is the longest window any rule reads.
func Longest(rules []Rule) time.Duration {
	var d time.Duration
	for _, r := range rules {
		d = max(d, r.Long, r.Short)
	}
	return d
}

// Rate is the burn rate of an error ratio against an objective in percent:
// how many times faster than sustainable the budget is being spent.
func Rate(errorRatio, objective float64) float64 {
	budget := 1 - objective/100
	if budget <= 0 {
		return math.Inf(1)
	}
	return errorRatio / budget
}

func round4(f float64) float64 { return math.Round(f*1e4) / 1e4 }
