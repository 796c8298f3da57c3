package slo

import (
	"math"
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/slo/burn"
)

// Status is an SLO judged at one moment: the API's and the status page's view.
type Status struct {
	Service     string    `json:"service"`
	ID          string    `json:"id"`
	Description string    `json:"description,omitempty"`
	Kind        string    `json:"kind"`
	Objective   float64   `json:"objective"`
	Window      string    `json:"window"`
	WindowStart time.Time `json:"window_start"`
	WindowEnd   time.Time `json:"window_end"`
	At          time.Time `json:"evaluated_at"`

	// SLI is the share of good over the window so far, in percent; nil
	// with NoData saying why when there is nothing (or too little) to judge.
	SLI    *float64 `json:"sli"`
	Good   float64  `json:"good"`
	Total  float64  `json:"total"`
	Events float64  `json:"events"`
	NoData string   `json:"no_data,omitempty"`

	Budget Budget `json:"budget"`
	// BurnRate is the burn over the first page rule's long window (1h by
	// default); BurnRates has every alert window's.
	BurnRate  *float64            `json:"burn_rate"`
	BurnRates map[string]*float64 `json:"burn_rates"`
	// ProjectedExhaustion is when the budget runs out if the current burn
	// rate holds (and nothing ages out of the window); nil when it does not
	// run out (within the calendar period, or at all).
	ProjectedExhaustion *time.Time `json:"projected_exhaustion"`

	Alerts       []RuleStatus `json:"alerts"`
	BlockDeploys bool         `json:"block_deploys"`
}

// Budget is the error budget: the share of the window allowed to be bad.
type Budget struct {
	// Percent is 100 - objective: the budget as a share of all events.
	Percent float64 `json:"percent"`
	// Seconds is the budget as time over the whole window (43m12s for
	// 99.9% over 30 days).
	Seconds          float64  `json:"seconds"`
	Text             string   `json:"text"`
	SpentPercent     *float64 `json:"spent_percent"`
	RemainingPercent *float64 `json:"remaining_percent"`
	RemainingSeconds *float64 `json:"remaining_seconds"`
	RemainingText    string   `json:"remaining_text,omitempty"`
	Exhausted        bool     `json:"exhausted"`
}

// RuleStatus is one burn-rate alert rule and whether it fires.
type RuleStatus struct {
	burn.Rule
	Name      string   `json:"name"`
	LongText  string   `json:"long"`
	ShortText string   `json:"short"`
	BurnLong  *float64 `json:"burn_long"`
	BurnShort *float64 `json:"burn_short"`
	Firing    bool     `json:"firing"`
	// Unknown says why the rule could not be judged (a source error); its
	// alert then neither fires nor resolves.
	Unknown string `json:"unknown,omitempty"`
}

// judge computes an SLO's status from its readings: window over its whole
// window so far, spans keyed by alert window length.
func judge(s *SLO, now time.Time, window Reading, spans map[time.Duration]Reading) Status {
	c := s.Cfg
	start, end := Bounds(c, now)
	st := Status{Service: s.Service, ID: c.ID, Description: c.Description, Kind: c.Kind(), Objective: c.Objective,
		Window: c.WindowText(), WindowStart: start, WindowEnd: end, At: now, BurnRates: map[string]*float64{},
		Alerts: []RuleStatus{}, BlockDeploys: c.Policy != nil && c.Policy.BlockDeploys}
	minEvents := float64(c.Alerting.MinEvents)
	budget := 1 - c.Objective/100
	period := end.Sub(start)
	st.Budget = Budget{Percent: round(100 * budget), Seconds: math.Round(period.Seconds() * budget)}
	st.Budget.Text = duration.Format(time.Duration(st.Budget.Seconds) * time.Second)

	st.Good, st.Total, st.Events = window.Good, window.Total, window.Events
	ratio, ok := window.Ratio()
	switch {
	case window.Err != nil:
		st.NoData = window.Err.Error()
	case !ok:
		st.NoData = "no data in the window yet"
	case window.Events < minEvents:
		st.NoData = "fewer events than min_events in the window"
	default:
		sli := round(100 * ratio)
		st.SLI = &sli
		spent := (1 - ratio) / budget
		rem := 1 - spent
		st.Budget.SpentPercent = ptr(round(100 * spent))
		st.Budget.RemainingPercent = ptr(round(100 * rem))
		st.Budget.RemainingSeconds = ptr(math.Round(rem * st.Budget.Seconds))
		st.Budget.RemainingText = duration.Format(time.Duration(*st.Budget.RemainingSeconds) * time.Second)
		st.Budget.Exhausted = rem <= 0
	}

	rate := func(d time.Duration) (*float64, string) {
		r, found := spans[d]
		switch {
		case !found:
			return nil, "not read"
		case r.Err != nil:
			return nil, r.Err.Error()
		}
		ratio, ok := r.Ratio()
		if !ok || r.Events < minEvents {
			return nil, ""
		}
		return ptr(round(burn.Rate(1-ratio, c.Objective))), ""
	}
	for d := range spans {
		if b, _ := rate(d); b != nil || spans[d].Err == nil {
			st.BurnRates[duration.Format(d)] = b
		}
	}
	for _, r := range c.BurnRules() {
		rs := RuleStatus{Rule: r, Name: r.Name(), LongText: duration.Format(r.Long), ShortText: duration.Format(r.Short)}
		var whyL, whyS string
		rs.BurnLong, whyL = rate(r.Long)
		rs.BurnShort, whyS = rate(r.Short)
		if whyL != "" || whyS != "" {
			rs.Unknown = whyL
			if rs.Unknown == "" {
				rs.Unknown = whyS
			}
		}
		// Too few events in either window is not burning: a quiet hour
		// resolves the alert, while an unreadable source leaves it as it is.
		rs.Firing = rs.Unknown == "" && rs.BurnLong != nil && rs.BurnShort != nil &&
			*rs.BurnLong >= r.Factor && *rs.BurnShort >= r.Factor && !c.Alerting.Disabled
		st.Alerts = append(st.Alerts, rs)
	}
	if len(c.BurnRules()) > 0 {
		st.BurnRate = st.BurnRates[duration.Format(currentWindow(c.BurnRules()))]
	}
	st.ProjectedExhaustion = exhaustion(st, now, period, c.Calendar != "")
	return st
}

// currentWindow is the window "the current burn rate" is read over: the
// first page rule's long window, or the first rule's.
func currentWindow(rules []burn.Rule) time.Duration {
	for _, r := range rules {
		if r.Severity == burn.Page {
			return r.Long
		}
	}
	return rules[0].Long
}

// exhaustion projects when the remaining budget is spent at the current
// burn rate: burning at b spends b/period of the budget per unit of time.
func exhaustion(st Status, now time.Time, period time.Duration, calendar bool) *time.Time {
	rem := st.Budget.RemainingPercent
	if rem == nil || st.BurnRate == nil || *st.BurnRate <= 0 || *rem <= 0 {
		return nil
	}
	left := time.Duration(*rem / 100 * float64(period) / *st.BurnRate)
	at := now.Add(left).Truncate(time.Second)
	if calendar && at.After(st.WindowEnd) {
		return nil // the budget renews first
	}
	return &at
}

func round(f float64) float64 { return math.Round(f*1e4) / 1e4 }

func ptr[T any](v T) *T { return &v }
