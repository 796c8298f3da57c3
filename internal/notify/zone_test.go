package notify

import (
	"testing"
	"time"
)

func TestMessageIn(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 27, 22, 4, 0, 0, time.UTC)
	m := Message{At: at, Alerts: []Alert{{Since: at.Add(-time.Hour)}, {}}, Handoff: &Handoff{From: at}}
	got := m.In(berlin)
	if got.At.Location() != berlin || got.At.Format("15:04 MST") != "23:04 CET" || !got.At.Equal(at) {
		t.Errorf("At = %v", got.At)
	}
	if got.Alerts[0].Since.Format("15:04 MST") != "22:04 CET" || !got.Alerts[1].Since.IsZero() {
		t.Errorf("alerts = %+v", got.Alerts)
	}
	if got.Handoff.From.Location() != berlin || !got.Handoff.Until.IsZero() {
		t.Errorf("handoff = %+v", got.Handoff)
	}
	// The original is untouched: bundles and retries reuse it.
	if m.Alerts[0].Since.Location() != time.UTC || m.Handoff.From.Location() != time.UTC {
		t.Error("In changed the message it was called on")
	}
	if m.In(nil).At != m.At {
		t.Error("a nil zone changed the message")
	}
}
