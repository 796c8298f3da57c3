// Package render holds what every channel renders alike: the order of
// severities, ages and times, the handoff sentence, which labels are worth
// showing, the plain-text body, and scrubbing secrets out of error text. It
// keeps Slack, email and the console saying the same thing in their own forms.
package render

import (
	"fmt"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/notify"
)

// Vigil's severity levels, most severe first.
const (
	Critical = string(alert.Critical)
	Error    = string(alert.Error)
	Warning  = string(alert.Warning)
	Info     = string(alert.Info)
)

// Severity maps the spellings sources use (Alertmanager rules, PagerDuty
// events, Grafana) onto Vigil's four levels, as ingestion does. Other values
// come back lowercased, so a channel can still show them.
func Severity(s string) string {
	if sev, ok := alert.ParseSeverity(s); ok {
		return string(sev)
	}
	return strings.ToLower(strings.TrimSpace(s))
}

// Rank orders severities: 4 for critical down to 1 for info, 0 when unknown.
func Rank(s string) int { return alert.Severity(Severity(s)).Rank() }

// Resolved reports whether the alert is over.
func Resolved(a notify.Alert) bool { return strings.EqualFold(a.Status, "resolved") }

// Acknowledged reports whether someone has taken the alert.
func Acknowledged(a notify.Alert) bool { return strings.EqualFold(a.Status, "acknowledged") }

// Worst is the most severe level among the alerts still open, "" when every
// alert is resolved (or there are none): a message is as loud as its worst
// open alert.
func Worst(alerts []notify.Alert) string {
	worst, rank := "", -1
	for _, a := range alerts {
		if Resolved(a) {
			continue
		}
		if r := Rank(a.Severity); r > rank {
			worst, rank = Severity(a.Severity), r
		}
	}
	return worst
}

// Age is how long before at the alert started, in the two largest units
// ("45s", "12m", "3h 4m", "2d 3h"); "" when since is unknown or not before at.
// It is measured against the message's time, not the clock, so a message
// renders the same whenever it is sent or re-sent.
func Age(since, at time.Time) string {
	if since.IsZero() || !since.Before(at) {
		return ""
	}
	d := at.Sub(since)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d/time.Second))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d/time.Minute))
	case d < 24*time.Hour:
		return joinUnits(int(d/time.Hour), "h", int(d%time.Hour/time.Minute), "m")
	}
	return joinUnits(int(d/(24*time.Hour)), "d", int(d%(24*time.Hour)/time.Hour), "h")
}

func joinUnits(a int, au string, b int, bu string) string {
	if b == 0 {
		return fmt.Sprintf("%d%s", a, au)
	}
	return fmt.Sprintf("%d%s %d%s", a, au, b, bu)
}

// When formats t in its own location, which is the schedule's or the
// server's time zone, naming the zone so nobody has to guess.
func When(t time.Time) string { return t.Format("Mon 2 Jan 2006 15:04 MST") }

// Since says when an alert started and how long ago: "Fri 27 Nov 2026 22:00
// UTC (12m ago)".
func Since(a notify.Alert, at time.Time) string {
	if a.Since.IsZero() {
		return ""
	}
	if age := Age(a.Since, at); age != "" {
		return When(a.Since) + " (" + age + " ago)"
	}
	return When(a.Since)
}

// Handoff is the sentence a handoff message is about. A zero Until means no
// handoff is planned (the only member of a rotation).
func Handoff(h notify.Handoff) string {
	if h.Until.IsZero() {
		return fmt.Sprintf("You are on call for %s from %s, with no handoff planned.", h.Schedule, When(h.From))
	}
	return fmt.Sprintf("You are on call for %s from %s until %s.", h.Schedule, When(h.From), When(h.Until))
}

// Now is the line saying what the alert's source says now: "failing:
// status == 200 failed (status=503)"; "" when it says nothing.
func Now(a notify.Alert) string {
	state, reason := OneLine(a.State), OneLine(a.Reason)
	switch {
	case state != "" && reason != "":
		return state + ": " + reason
	case state != "":
		return state
	}
	return reason
}

// Occurrences reads "3 times" or "once"; "" when unknown.
func Occurrences(n int) string {
	switch {
	case n <= 0:
		return ""
	case n == 1:
		return "once"
	}
	return fmt.Sprintf("%d times", n)
}
