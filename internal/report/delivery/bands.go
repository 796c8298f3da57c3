package delivery

import (
	"slices"
	"time"
)

// Bands place each key in DORA's performance bands: elite, high, medium,
// low ("" without data). Overall is the weakest of the four: a team
// delivers as well as its weakest key allows.
type Bands struct {
	DeploymentFrequency string `json:"deployment_frequency"`
	LeadTime            string `json:"lead_time"`
	ChangeFailureRate   string `json:"change_failure_rate"`
	TimeToRestore       string `json:"time_to_restore"`
	Overall             string `json:"overall"`
}

// Band names, best first.
const (
	Elite  = "elite"
	High   = "high"
	Medium = "medium"
	Low    = "low"
)

func bandOrder() []string { return []string{Elite, High, Medium, Low} }

// The thresholds follow the 2019 Accelerate State of DevOps report as the
// Four Keys dashboard buckets it (docs/releases.md has the table):
// frequency by its daily/weekly/monthly/yearly buckets; lead time under a
// day, a week, a month (730h); time to restore under an hour, a day, a
// week; change failure rate at most 15%, 30%, 45%.
func bandsOf(m Metrics) Bands {
	var b Bands
	if m.Deploys > 0 {
		b.DeploymentFrequency = map[string]string{"daily": Elite, "weekly": High, "monthly": Medium, "yearly": Low}[m.Frequency]
	}
	if m.LeadTimeSeconds != nil {
		b.LeadTime = byDuration(*m.LeadTimeSeconds, 24*time.Hour, 7*24*time.Hour, 730*time.Hour)
	}
	if m.TimeToRestoreSecs != nil {
		b.TimeToRestore = byDuration(*m.TimeToRestoreSecs, time.Hour, 24*time.Hour, 7*24*time.Hour)
	}
	if r := m.ChangeFailureRate; r != nil {
		switch {
		case *r <= 0.15:
			b.ChangeFailureRate = Elite
		case *r <= 0.30:
			b.ChangeFailureRate = High
		case *r <= 0.45:
			b.ChangeFailureRate = Medium
		default:
			b.ChangeFailureRate = Low
		}
	}
	worst := -1
	for _, x := range []string{b.DeploymentFrequency, b.LeadTime, b.ChangeFailureRate, b.TimeToRestore} {
		if i := slices.Index(bandOrder(), x); i > worst {
			worst = i
		}
	}
	if worst >= 0 {
		b.Overall = bandOrder()[worst]
	}
	return b
}

func byDuration(secs float64, elite, high, medium time.Duration) string {
	d := time.Duration(secs * float64(time.Second))
	switch {
	case d < elite:
		return Elite
	case d < high:
		return High
	case d < medium:
		return Medium
	}
	return Low
}

// frequency is Four Keys' deployment frequency bucket over [from, to):
// daily when the median week (7-day periods from from) has deploys on at
// least 3 days; weekly when most weeks have a deploy; monthly when the
// median 30-day period has at least one; yearly otherwise.
func frequency(at []time.Time, from, to time.Time) string {
	if len(at) == 0 {
		return "yearly"
	}
	days := func(start, end time.Time) (deployDays, deploys int) {
		seen := map[int]bool{}
		for _, t := range at {
			if !t.Before(start) && t.Before(end) {
				deploys++
				seen[int(t.Sub(from)/(24*time.Hour))] = true
			}
		}
		return len(seen), deploys
	}
	var perWeekDays, perWeekAny, perMonth []float64
	for start := from; start.Before(to); start = start.Add(7 * 24 * time.Hour) {
		d, n := days(start, min2(start.Add(7*24*time.Hour), to))
		perWeekDays = append(perWeekDays, float64(d))
		perWeekAny = append(perWeekAny, float64(min(n, 1)))
	}
	for start := from; start.Before(to); start = start.Add(30 * 24 * time.Hour) {
		_, n := days(start, min2(start.Add(30*24*time.Hour), to))
		perMonth = append(perMonth, float64(n))
	}
	switch {
	case medianF(perWeekDays) >= 3:
		return "daily"
	case medianF(perWeekAny) >= 1:
		return "weekly"
	case medianF(perMonth) >= 1:
		return "monthly"
	}
	return "yearly"
}

func min2(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func medianF(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
