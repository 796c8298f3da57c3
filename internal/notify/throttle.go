package notify

import "time"

// held reports whether a destination is over its limit, and until when.
func (o *Outbox) held(name string, l Limit, now time.Time) (time.Time, bool) {
	if l.Max <= 0 || l.Per <= 0 {
		return time.Time{}, false
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	recent := o.sent[name][:0]
	for _, t := range o.sent[name] {
		if now.Sub(t) < l.Per {
			recent = append(recent, t)
		}
	}
	o.sent[name] = recent
	if len(recent) < l.Max {
		return time.Time{}, false
	}
	return recent[0].Add(l.Per), true
}

func (o *Outbox) noteSent(name string, now time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent[name] = append(o.sent[name], now)
}
