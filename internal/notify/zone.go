package notify

import "time"

// In returns m with its times in loc: the zone the recipient reads times
// in, so every channel shows them as that person's clock does. A nil loc
// changes nothing.
func (m Message) In(loc *time.Location) Message {
	if loc == nil {
		return m
	}
	m.At = in(m.At, loc)
	if len(m.Alerts) > 0 {
		alerts := make([]Alert, len(m.Alerts))
		for i, a := range m.Alerts {
			a.Since = in(a.Since, loc)
			alerts[i] = a
		}
		m.Alerts = alerts
	}
	if m.Handoff != nil {
		h := *m.Handoff
		h.From, h.Until = in(h.From, loc), in(h.Until, loc)
		m.Handoff = &h
	}
	return m
}

// in converts t, leaving the zero time zero (it means "unknown").
func in(t time.Time, loc *time.Location) time.Time {
	if t.IsZero() {
		return t
	}
	return t.In(loc)
}
