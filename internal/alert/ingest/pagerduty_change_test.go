package ingest

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
)

// TestPagerDutyChange: a change event is read as PagerDuty documents it:
// the timestamp with a +hhmm offset, custom_details kept (a non-object
// under "value"), only http(s) links; summary and routing key required;
// another kind of integration's key is unknown.
func TestPagerDutyChange(t *testing.T) {
	c, integ, err := PagerDutyChange([]byte(`{"routing_key":"`+pdKey+`","payload":{"summary":"Build Success",
		"timestamp":"2026-11-23T08:42:58.315+0000","source":"acme","custom_details":{"build_number":"2","run_time":"1236s"}},
		"links":[{"href":"https://acme.example/b/2","text":"Build"},{"href":"javascript:alert(1)","text":"x"}]}`), pdKeys)
	want := Change{Summary: "Build Success", Source: "acme", At: time.Date(2026, 11, 23, 8, 42, 58, 315e6, time.UTC),
		Details: map[string]any{"build_number": "2", "run_time": "1236s"}, Links: []alert.Link{{Href: "https://acme.example/b/2", Text: "Build"}}}
	if !c.At.Equal(want.At) {
		t.Fatalf("timestamp %v", c.At)
	}
	c.At = want.At
	if err != nil || integ.ID != "pd-compat" || !reflect.DeepEqual(c, want) {
		t.Fatalf("got %+v %+v %v", c, integ, err)
	}
	c, _, err = PagerDutyChange([]byte(`{"routing_key":"`+pdKey+`","payload":{"summary":"s","custom_details":"free text","timestamp":"soon"}}`), pdKeys)
	if err != nil || !reflect.DeepEqual(c.Details, map[string]any{"value": "free text"}) || !c.At.IsZero() {
		t.Fatalf("free-text details: %+v %v", c, err)
	}
	for body, want := range map[string]string{
		`{"routing_key":"` + pdKey + `"}`:                                                           "payload: is missing",
		`{"routing_key":"","payload":{"summary":" "}}`:                                              "routing_key: is missing or blank; payload.summary: is missing or blank",
		`{"routing_key":"` + pdKey + `","payload":{"summary":"` + strings.Repeat("s", 1025) + `"}}`: "payload.summary: is too long (maximum is 1024 characters)",
	} {
		if _, _, err := PagerDutyChange([]byte(body), pdKeys); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%.60s: %v, want %q", body, err, want)
		}
	}
	if _, _, err := PagerDutyChange([]byte(`{"routing_key":"alertmanager-key","payload":{"summary":"s"}}`), pdKeys); !errors.Is(err, ErrUnknownRoutingKey) {
		t.Fatalf("alertmanager key: %v", err)
	}
}
