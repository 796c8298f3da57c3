package notify

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBundle(t *testing.T) {
	msgs := []Message{
		{Kind: KindReminder, Title: "Disk full", Service: "db", Alerts: []Alert{{ID: 1, Status: "firing"}}},
		{Kind: KindFiring, Title: "Disk full again", Service: "db", Alerts: []Alert{{ID: 1, Status: "firing"}, {ID: 2, Status: "firing"}}, Step: 2},
		{Kind: KindResolved, Title: "Cache ok", Service: "cache", Alerts: []Alert{{ID: 3, Status: "resolved"}}},
	}
	b := Bundle(msgs)
	if b.Kind != KindFiring {
		t.Errorf("kind %q, want the most urgent, firing", b.Kind)
	}
	if b.Service != "" {
		t.Errorf("service %q, want empty across services", b.Service)
	}
	if b.Step != 2 {
		t.Errorf("step %d, want 2", b.Step)
	}
	if len(b.Alerts) != 3 {
		t.Errorf("%d alerts, want 3 (alert 1 once)", len(b.Alerts))
	}
	if !strings.HasPrefix(b.Title, "3 notifications: Disk full; ") {
		t.Errorf("title %q", b.Title)
	}

	// Long titles are cut at 300 bytes without splitting a character.
	long := []Message{{Title: strings.Repeat("é", 200)}, {Title: strings.Repeat("ü", 200)}}
	b = Bundle(long)
	if len(b.Title) > 300 || !utf8.ValidString(b.Title) || !strings.HasSuffix(b.Title, "...") {
		t.Errorf("title of %d bytes, valid UTF-8 %v: %q", len(b.Title), utf8.ValidString(b.Title), b.Title)
	}
}
