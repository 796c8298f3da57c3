package slo

import (
	"math"
	"strconv"
)

// Left says in words what is left of the budget, for summaries, the CLI
// and the deploy guard: "98.2% of the budget remains" while some does,
// "the budget is spent" at its end, and past it how far: "the budget is
// spent 20× over". The JSON keeps the number (remaining_percent, -1900).
// "" when there is no data.
func (b Budget) Left() string {
	if b.RemainingPercent == nil {
		return ""
	}
	rem := *b.RemainingPercent
	spent := 1 - rem/100
	switch {
	case rem > 0:
		return figure(rem) + "% of the budget remains"
	case spent < 1.05:
		return "the budget is spent"
	}
	return "the budget is spent " + figure(spent) + "× over"
}

// figure writes v plainly, never in exponent form: to one decimal under
// 100 (two under 1), whole past that.
func figure(v float64) string {
	switch a := math.Abs(v); {
	case a >= 100:
		return strconv.FormatFloat(math.Round(v), 'f', -1, 64)
	case a >= 1:
		return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
