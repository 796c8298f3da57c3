package alert

import (
	"fmt"
	"slices"
	"strings"
)

// Suppression is what holds an open alert back from paging, as the pager
// last decided it (at its group's flush and escalations, and at once when
// silences change): the silences that match it, the maintenance window it
// is in, and whether a firing alert inhibits it. The zero value holds
// nothing back.
type Suppression struct {
	SilencedBy  []string `json:"silenced_by,omitempty"`
	Maintenance string   `json:"maintenance,omitempty"`
	Inhibited   bool     `json:"inhibited,omitempty"`
}

// Suppressed reports whether anything holds the alert back.
func (s Suppression) Suppressed() bool {
	return len(s.SilencedBy) > 0 || s.Maintenance != "" || s.Inhibited
}

// Kind is one word for what holds the alert back, the first of silenced,
// maintenance and inhibited; "" when nothing does.
func (s Suppression) Kind() string {
	switch {
	case len(s.SilencedBy) > 0:
		return "silenced"
	case s.Maintenance != "":
		return "maintenance"
	case s.Inhibited:
		return "inhibited"
	}
	return ""
}

// Reason says it as the alert's log does: "silenced by 3f2a", "in
// maintenance window release-night" or "inhibited".
func (s Suppression) Reason() string {
	switch s.Kind() {
	case "silenced":
		ids := s.SilencedBy
		if len(ids) > 3 {
			return fmt.Sprintf("silenced by %s and %d more", strings.Join(ids[:3], ", "), len(ids)-3)
		}
		return "silenced by " + strings.Join(ids, ", ")
	case "maintenance":
		return "in maintenance window " + s.Maintenance
	case "inhibited":
		return "inhibited"
	}
	return ""
}

// Equal reports whether two suppressions hold back for the same reasons.
func (s Suppression) Equal(o Suppression) bool {
	return slices.Equal(s.SilencedBy, o.SilencedBy) && s.Maintenance == o.Maintenance && s.Inhibited == o.Inhibited
}
