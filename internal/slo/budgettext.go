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
	switch {
	case b.RemainingPercent == nil:
		return ""
	case b.Remains() != "":
		return b.Remains() + " of the budget remains"
	case b.Over() != "":
		return "the budget is spent " + b.Over()
	}
	return "the budget is spent"
}

// Remains is the share of the budget left, "98.2%"; "" once it is spent
// or without data.
func (b Budget) Remains() string {
	if b.RemainingPercent == nil || *b.RemainingPercent <= 0 {
		return ""
	}
	return figure(*b.RemainingPercent) + "%"
}

// Over is how far past the budget the spending went, "20× over"; "" while
// some remains, when it is spent just to its end, or without data.
func (b Budget) Over() string {
	if b.RemainingPercent == nil {
		return ""
	}
	spent := 1 - *b.RemainingPercent/100
	if spent < 1.05 {
		return ""
	}
	return figure(spent) + "× over"
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
