package oncall

import (
	"strings"
	"time"
)

// Recipient is one person or channel to notify. Exactly one of Person and
// Channel is set.
type Recipient struct {
	Person  string `json:"person,omitempty"`
	Channel string `json:"channel,omitempty"`
	// Via is the target that brought them, e.g. "schedule/sre-primary", so a
	// notification can say why someone was paged.
	Via string `json:"via"`
}

// Expand resolves escalation targets at t: schedule/<id> to the people on
// call, team/<id> to its members, person/<id> to that person and channel/<id>
// to that channel. Each person and channel appears once, with the Via of the
// first target that reached it, in target order. Targets that name nothing
// known are skipped; config validation makes every target resolve. A schedule
// with nobody on call adds nobody.
func (d *Directory) Expand(targets []string, t time.Time) []Recipient {
	var out []Recipient
	seen := map[string]bool{} // "person/<id>" and "channel/<id>"
	add := func(r Recipient) {
		key := "person/" + r.Person
		if r.Channel != "" {
			key = "channel/" + r.Channel
		}
		if !seen[key] {
			seen[key] = true
			out = append(out, r)
		}
	}
	for _, target := range targets {
		kind, id, _ := strings.Cut(target, "/")
		switch kind {
		case "schedule":
			for _, p := range d.OnCall(id, t) {
				add(Recipient{Person: p, Via: target})
			}
		case "team":
			for _, p := range d.teams[id].Members {
				add(Recipient{Person: p, Via: target})
			}
		case "person":
			if _, ok := d.people[id]; ok {
				add(Recipient{Person: id, Via: target})
			}
		case "channel":
			if _, ok := d.channels[id]; ok {
				add(Recipient{Channel: id, Via: target})
			}
		}
	}
	return out
}
