package ical_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/ical"
	"github.com/vigil-sre/vigil/internal/ical/icaltest"
)

func TestCalendarReadsBackExactly(t *testing.T) {
	start := time.Date(2026, 11, 23, 9, 0, 0, 0, time.FixedZone("ICT", 7*3600))
	tricky := "Trực đêm; Nguyễn, \"Thạch\" \\ 🚨 back\r\nline two\nline three\x00\x07 end " + strings.Repeat("é🙂", 40)
	cal := ical.Calendar{
		ProdID:  "-//Vigil//On call//EN",
		Name:    "Vigil on call: Thạch Dương, SRE",
		Refresh: time.Hour,
		Events: []ical.Event{
			{UID: "shift-1@vigil", Stamp: start, Start: start, End: start.Add(7 * 24 * time.Hour), Summary: "On call: sre-primary",
				Description: tricky, URL: "https://vigil.example/oncall/schedules/sre-primary?from=2026-11-23"},
			{UID: "shift-2@vigil", Stamp: start, Start: start.Add(-time.Hour), End: start, Summary: "x"},
		},
	}
	var b bytes.Buffer
	if err := cal.Write(&b); err != nil {
		t.Fatal(err)
	}
	parsed := icaltest.Parse(t, b.Bytes())
	if name, _ := parsed.Props.Text("X-WR-CALNAME"); name != cal.Name {
		t.Errorf("name %q", name)
	}
	if got := parsed.Props.Get("REFRESH-INTERVAL"); got == nil || got.Value != "PT1H" {
		t.Errorf("refresh interval %+v", got)
	}
	events := parsed.Events()
	if len(events) != 2 {
		t.Fatalf("%d events", len(events))
	}
	e := events[0]
	want := strings.NewReplacer("\r\n", "\n", "\x00", " ", "\x07", " ").Replace(tricky)
	if got, _ := e.Props.Text("DESCRIPTION"); got != want {
		t.Errorf("description read back as\n%q\nwant\n%q", got, want)
	}
	if got, err := e.DateTimeStart(nil); err != nil || !got.Equal(start) || got.Location() != time.UTC {
		t.Errorf("start %v (%v), %v", got, got.Location(), err)
	}
	if got, err := e.DateTimeEnd(nil); err != nil || !got.Equal(start.Add(7*24*time.Hour)) {
		t.Errorf("end %v, %v", got, err)
	}
	for _, s := range []string{"DTSTART:20261123T020000Z\r\n", "DTEND:20261130T020000Z\r\n", "DESCRIPTION:Trực đêm\\; Nguyễn\\, \"Thạch\" \\\\ "} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("the feed lacks %q", s)
		}
	}
	if uid, _ := e.Props.Text("UID"); uid != "shift-1@vigil" {
		t.Errorf("uid %q", uid)
	}
}

func TestEmptyCalendar(t *testing.T) {
	var b bytes.Buffer
	if err := (ical.Calendar{ProdID: "-//Vigil//On call//EN"}).Write(&b); err != nil {
		t.Fatal(err)
	}
	if cal := icaltest.Parse(t, b.Bytes()); len(cal.Events()) != 0 {
		t.Fatal("events in an empty calendar")
	}
}

// TestLinesCatchesBrokenFeeds: the checker refuses what a careless writer
// makes, so a feed that passes it is one the line rules allow.
func TestLinesCatchesBrokenFeeds(t *testing.T) {
	for name, body := range map[string]string{
		"LF line ends":  "BEGIN:VCALENDAR\nEND:VCALENDAR\n",
		"long line":     "BEGIN:VCALENDAR\r\nX:" + strings.Repeat("a", 80) + "\r\nEND:VCALENDAR\r\n",
		"split char":    "BEGIN:VCALENDAR\r\nX:" + strings.Repeat("a", 72) + "\xc3\r\n \xa9\r\nEND:VCALENDAR\r\n",
		"no final CRLF": "BEGIN:VCALENDAR\r\nEND:VCALENDAR",
		"control char":  "BEGIN:VCALENDAR\r\nX:a\x01b\r\nEND:VCALENDAR\r\n",
	} {
		if icaltest.Lines([]byte(body)) == nil {
			t.Errorf("%s: passed", name)
		}
	}
}

func TestDuration(t *testing.T) {
	for d, want := range map[time.Duration]string{time.Hour: "PT1H", 90 * time.Minute: "PT1H30M", 26 * time.Hour: "P1DT2H", 48 * time.Hour: "P2D", 0: "PT1S"} {
		if got := ical.Duration(d); got != want {
			t.Errorf("%v: %s, want %s", d, got, want)
		}
	}
}
