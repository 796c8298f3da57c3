package ingest

import (
	"slices"
	"testing"
	"time"
)

// TestTimesOutOfRange: a time outside 1970 to a year after arrival is
// refused, naming the field, in every format that rejects bad input; a
// PagerDuty timestamp is dropped instead, as an unreadable one is.
func TestTimesOutOfRange(t *testing.T) {
	received := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	integ := Integration{ID: "src", Type: "generic", Received: received}
	am := func(version, startsAt string) []byte {
		return []byte(`{"version":"` + version + `","alerts":[{"status":"firing","labels":{"alertname":"X"},"startsAt":"` + startsAt + `"}]}`)
	}
	cases := []struct {
		name string
		run  func() error
		want string
	}{
		{"generic at in year 0", func() error {
			_, err := Generic([]byte(`{"key":"k","summary":"s","at":"0000-01-01T00:00:00+01:00"}`), integ)
			return err
		}, "at: 0000-01-01T00:00:00+01:00 must not be before 1970-01-01T00:00:00Z"},
		{"generic at 1970's first instant, which the store reads as never", func() error {
			_, err := Generic([]byte(`{"key":"k","summary":"s","at":"1970-01-01T00:00:00Z"}`), integ)
			return err
		}, "at: 1970-01-01T00:00:00Z must be after 1970-01-01T00:00:00Z"},
		{"alertmanager endsAt in 1970's first millisecond", func() error {
			_, err := Alertmanager([]byte(`{"version":"4","alerts":[{"status":"resolved","labels":{"alertname":"X"},"endsAt":"1970-01-01T00:00:00.0004Z"}]}`), integ)
			return err
		}, "alerts[0].endsAt: 1970-01-01T00:00:00.0004Z must be after 1970-01-01T00:00:00Z"},
		{"generic at in year 9999", func() error {
			_, err := Generic([]byte(`{"events":[{"key":"k","summary":"s","at":"9999-12-31T23:59:59-23:00"}]}`), integ)
			return err
		}, "events[0].at: 9999-12-31T23:59:59-23:00 must be at most a year from now (latest 2027-11-23T09:00:00Z)"},
		{"alertmanager startsAt in year 0", func() error {
			_, err := Alertmanager(am("4", "0000-01-01T00:00:00+01:00"), integ)
			return err
		}, "alerts[0].startsAt: 0000-01-01T00:00:00+01:00 must not be before 1970-01-01T00:00:00Z"},
		{"grafana startsAt past 9999", func() error {
			_, err := Grafana(am("1", "9999-12-31T23:59:59-23:00"), integ)
			return err
		}, "alerts[0].startsAt: 9999-12-31T23:59:59-23:00 must be at most a year from now (latest 2027-11-23T09:00:00Z)"},
		{"no clock: only what can be stored", func() error {
			_, err := Generic([]byte(`{"key":"k","summary":"s","at":"9999-12-31T23:59:59-23:00"}`), Integration{ID: "src"})
			return err
		}, "at: 9999-12-31T23:59:59-23:00 is too far in the future (latest 9998-12-31T23:59:59Z)"},
		{"a token must name the service", func() error {
			_, err := Generic([]byte(`{"events":[{"key":"k","summary":"s"},{"key":"k","action":"resolve"}]}`), Integration{ID: "token/ci", RequireService: true})
			return err
		}, "events[0].service: is required to trigger with an API token (an integration's key brings its default service)"},
	}
	for _, tc := range cases {
		err := tc.run()
		if err == nil {
			t.Errorf("%s: accepted", tc.name)
			continue
		}
		if got := problems(t, err); !slices.Equal(got, []string{tc.want}) {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}

	ev, _, err := PagerDuty([]byte(`{"routing_key":"k","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","timestamp":"0000-01-01T00:00:00+01:00"}}`),
		func(string) (Integration, bool) {
			return Integration{ID: "pd", Type: "pagerduty", Received: received}, true
		})
	if err != nil || !ev.At.IsZero() {
		t.Errorf("pagerduty: at %v, err %v; want the timestamp dropped", ev.At, err)
	}
}
