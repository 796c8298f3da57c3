package app

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// stakeholderConfig is a shop whose critical alerts declare an incident,
// with on-call (thach) and a stakeholder (susan) on webhooks, and the
// routing defaults (group_wait 30s).
func stakeholderConfig(sink string) string {
	return fmt.Sprintf(`
tokens:
  - {id: oncall, secret: r3spond-t0ken, scopes: [respond]}
integrations:
  - {id: scripts, type: generic, key: gen-k3y}
people:
  - {id: thach, contacts: {webhook: "%[1]s/thach"}}
  - {id: susan, contacts: {webhook: "%[1]s/susan"}}
escalations:
  - {id: sre, steps: [{notify: [person/thach]}]}
routes:
  - {escalation: sre}
services:
  - {id: shop, stakeholders: [person/susan], incident: {auto_severity: critical, severity: SEV1}}
`, sink)
}

// TestIncidentNoticesPageOnCallFirst: an alert that declares an incident
// pages on-call at once, without waiting for its group, so stakeholders
// never hear of the incident before the person who has to fix it; and the
// stakeholders' message is an incident notice, not a runbook one.
func TestIncidentNoticesPageOnCallFirst(t *testing.T) {
	sk := newSink(t)
	h := start(t, stakeholderConfig(sk.URL), "")
	id := h.raise("checkout", "Checkout down", "critical", "shop")

	// The clock does not move: group_wait (30s) has not passed.
	susan := sk.wait(t, "/susan", 1)[0]
	thach := sk.wait(t, "/thach", 1)[0]
	if thach.Message.Kind != "firing" || len(thach.Message.Alerts) != 1 || thach.Message.Alerts[0].ID != id {
		t.Fatalf("on-call was told %+v", thach.Message)
	}
	if susan.Message.Kind != "incident" || susan.Header.Get("X-Vigil-Event") != "incident" ||
		!strings.Contains(susan.Message.Title, "Incident 1 declared: Checkout down") {
		t.Fatalf("the stakeholder got kind %q (X-Vigil-Event %q): %q", susan.Message.Kind, susan.Header.Get("X-Vigil-Event"), susan.Message.Title)
	}
	// On-call's page was written no later than the stakeholders' notice.
	var notes []struct {
		ID          int64     `json:"id"`
		Destination string    `json:"destination"`
		CreatedAt   time.Time `json:"created_at"`
	}
	h.do("GET", fmt.Sprintf("/api/v1/alerts/%d/notifications", id), "r3spond-t0ken", nil, &notes)
	if len(notes) != 1 || notes[0].Destination != "person/thach/webhook" {
		t.Fatalf("delivery history %+v", notes)
	}
	if !notes[0].CreatedAt.Equal(t0) {
		t.Fatalf("on-call paged at %v, want at once (%v)", notes[0].CreatedAt, t0)
	}
	// It is not paged again when its group flushes: only the alert that
	// joined meanwhile is.
	h.advance(time.Second)
	other := h.raise("other", "Latency up", "warning", "shop")
	h.advance(30 * time.Second)
	flush := sk.wait(t, "/thach", 2)[1].Message
	if len(flush.Alerts) != 1 || flush.Alerts[0].ID != other {
		t.Fatalf("the group's flush paged %+v, want only alert %d", flush.Alerts, other)
	}
}
