package ingest

import (
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
)

const pdKey = "R0UT1NGKEY0000000000000000000001"

var pdInteg = Integration{ID: "pd-compat", Type: "pagerduty", Service: "storage"}

// pdLookup stands in for the lead's lookup, which compares in constant time.
func pdLookup(keys map[string]Integration) func(string) (Integration, bool) {
	return func(k string) (Integration, bool) {
		integ, ok := keys[k]
		return integ, ok
	}
}

var pdKeys = pdLookup(map[string]Integration{
	pdKey:              pdInteg,
	"alertmanager-key": {ID: "prom", Type: "alertmanager"},
})

func TestPagerDutyAccepted(t *testing.T) {
	tests := []struct {
		file string
		want alert.Event
	}{
		{"trigger_full.json", alert.Event{
			Action:      alert.Trigger,
			Source:      alert.SourcePagerDuty,
			Integration: "pd-compat",
			Key:         "srv01/mysql",
			Summary:     "DISK at 99% on machine prod-datapipe03.example.com",
			Severity:    alert.Critical,
			Service:     "storage",
			Labels: map[string]string{
				"source": "prod-datapipe03.example.com", "component": "mysql",
				"group": "prod-datapipe", "class": "disk",
			},
			Annotations: map[string]string{
				"free space": "1%", "ping time": "1500ms", "load avg": "0.75",
				"mounts": `["/","/var"]`, "host": `{"rack":"r12","dc":"fra1"}`,
			},
			Links: []alert.Link{
				{Href: "https://dash.example.com/mysql", Text: "MySQL dashboard"},
				{Href: "https://chart.example.com/disk", Text: "Disk usage chart"},
				{Href: "https://monitoring.example.com", Text: "Sample Monitoring Service"},
			},
			At: time.Date(2026, 3, 1, 8, 42, 58, 315e6, time.UTC), // "+0000", PagerDuty's own style
		}},
		// PagerDuty ignores the payload of acknowledge and resolve.
		{"acknowledge.json", alert.Event{Action: alert.Acknowledge, Source: alert.SourcePagerDuty, Integration: "pd-compat", Key: "srv01/mysql", Service: "storage"}},
		{"resolve.json", alert.Event{Action: alert.Resolve, Source: alert.SourcePagerDuty, Integration: "pd-compat", Key: "srv01/mysql", Service: "storage"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			ev, integ, err := PagerDuty(fixture(t, "pagerduty/"+tt.file), pdKeys)
			if err != nil {
				t.Fatal(err)
			}
			if integ != pdInteg {
				t.Errorf("integration %+v", integ)
			}
			sameEvents(t, []alert.Event{ev}, []alert.Event{tt.want})
		})
	}
}

func TestPagerDutyGeneratesDedupKey(t *testing.T) {
	body := fixture(t, "pagerduty/trigger_no_dedup_key.json")
	first, _, err := PagerDuty(body, pdKeys)
	if err != nil {
		t.Fatal(err)
	}
	second, _, _ := PagerDuty(body, pdKeys)
	// PagerDuty's generated keys are UUIDs as 32 hex digits; each trigger
	// without a key opens a new alert, so keys must differ.
	b, err := hex.DecodeString(first.Key)
	if err != nil || len(b) != 16 || b[6]>>4 != 4 || b[8]>>6 != 2 {
		t.Errorf("generated key %q is not a v4 UUID in hex", first.Key)
	}
	if first.Key == second.Key {
		t.Errorf("two triggers got the same key %q", first.Key)
	}
	if first.Summary != "Example alert on host1.example.com" || first.Severity != alert.Info || !first.At.IsZero() {
		t.Errorf("event %s", dump(first))
	}
}

func TestPagerDutyInvalid(t *testing.T) {
	tests := []struct {
		name string
		body string // a file under testdata/pagerduty when it ends in .json
		want []string
	}{
		{"acknowledge without dedup_key", "acknowledge_no_dedup_key.json", []string{"dedup_key: is missing or blank (required to acknowledge)"}},
		{"resolve with empty dedup_key", "resolve_no_dedup_key.json", []string{"dedup_key: is missing or blank (required to resolve)"}},
		{"bad severity", "bad_severity.json", []string{`payload.severity: "high" is not one of critical, error, warning, info`}},
		{"missing summary and source", "missing_summary_source.json", []string{"payload.summary: is missing or blank", "payload.source: is missing or blank"}},
		{"overlong summary", `{"routing_key":"` + pdKey + `","event_action":"trigger","payload":{"summary":"` + strings.Repeat("ü", 1025) + `","source":"h","severity":"info"}}`,
			[]string{"payload.summary: is too long (maximum is 1024 characters)"}},
		{"overlong dedup_key", `{"routing_key":"` + pdKey + `","event_action":"resolve","dedup_key":"` + strings.Repeat("k", 256) + `"}`,
			[]string{"dedup_key: is too long (maximum is 255 characters)"}},
		{"trigger without payload", `{"routing_key":"` + pdKey + `","event_action":"trigger"}`, []string{"payload: is missing (required to trigger)"}},
		{"no routing_key, no action", `{"payload":{"summary":"s","source":"h","severity":"info"}}`, []string{"routing_key: is missing or blank", "event_action: is missing or blank"}},
		{"unknown action", `{"routing_key":"` + pdKey + `","event_action":"snooze","dedup_key":"k"}`, []string{`event_action: "snooze" is not one of trigger, acknowledge, resolve`}},
		{"severity of wrong type", `{"routing_key":"` + pdKey + `","event_action":"trigger","payload":{"summary":"s","source":"h","severity":2}}`,
			[]string{"payload.severity: expected a string, found a number (at byte 125)"}},
		{"malformed JSON", `{"routing_key":"` + pdKey + `" "event_action":"trigger"}`, []string{"invalid JSON at byte 51: invalid character '\"' after object key:value pair"}},
		{"array body", `[{"routing_key":"` + pdKey + `"}]`, []string{"body is a JSON array; expected an object"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := []byte(tt.body)
			if strings.HasSuffix(tt.body, ".json") {
				body = fixture(t, "pagerduty/"+tt.body)
			}
			ev, _, err := PagerDuty(body, pdKeys)
			if err == nil {
				t.Fatalf("accepted: %s", dump(ev))
			}
			sameStrings(t, problems(t, err), tt.want)
		})
	}
}

func TestPagerDutyUnknownRoutingKey(t *testing.T) {
	bodies := map[string][]byte{
		"unknown key":          fixture(t, "pagerduty/unknown_routing_key.json"),
		"another type's key":   []byte(`{"routing_key":"alertmanager-key","event_action":"resolve","dedup_key":"k"}`),
		"unknown, and invalid": []byte(`{"routing_key":"nope","event_action":"bogus"}`),
	}
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			_, integ, err := PagerDuty(body, pdKeys)
			if !errors.Is(err, ErrUnknownRoutingKey) {
				t.Fatalf("err = %v, want ErrUnknownRoutingKey", err)
			}
			if integ != (Integration{}) {
				t.Errorf("integration %+v returned for an unknown key", integ)
			}
		})
	}
}

// The bodies are compared byte for byte with PagerDuty's: clients parse
// them, and people diff them against PagerDuty's documentation.
func TestPagerDutyReply(t *testing.T) {
	_, _, badJSON := PagerDuty([]byte(`{"routing_key":`), pdKeys)
	_, _, invalid := PagerDuty(fixture(t, "pagerduty/missing_summary_source.json"), pdKeys)
	tests := []struct {
		name   string
		key    string
		err    error
		status int
		body   string
	}{
		{"accepted", "srv01/HTTP", nil, http.StatusAccepted, `{"status":"success","message":"Event processed","dedup_key":"srv01/HTTP"}`},
		{"invalid", "", invalid, http.StatusBadRequest, `{"status":"invalid event","message":"Event object is invalid","errors":["payload.summary: is missing or blank","payload.source: is missing or blank"]}`},
		{"unknown routing key", "", ErrUnknownRoutingKey, http.StatusBadRequest, `{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key"]}`},
		{"not JSON", "", badJSON, http.StatusBadRequest, `{"status":"Unrecognized object","message":"Event object format is unrecognized","errors":["invalid JSON at byte 15: unexpected end of JSON input"]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := PagerDutyReply(tt.key, tt.err)
			if status != tt.status || string(body) != tt.body {
				t.Errorf("got %d %s\nwant %d %s", status, body, tt.status, tt.body)
			}
		})
	}
	if got := string(PagerDutyInvalid(nil)); got != `{"status":"invalid event","message":"Event object is invalid","errors":[]}` {
		t.Errorf("PagerDutyInvalid(nil) = %s", got)
	}
}

func TestFlattenDetails(t *testing.T) {
	tests := []struct {
		raw  string
		want map[string]string
	}{
		{``, nil},
		{`null`, nil},
		{`{"a":"x","b":1,"c":true,"d":null,"e":{ "f" : [1, 2] }}`, map[string]string{"a": "x", "b": "1", "c": "true", "d": "null", "e": `{"f":[1,2]}`}},
		{`"just text"`, map[string]string{"custom_details": "just text"}},
		{`[1, 2]`, map[string]string{"custom_details": "[1,2]"}},
		// A value over MaxValueBytes is cut between characters, and says so.
		{`{"log":"` + strings.Repeat("é", MaxValueBytes) + `"}`, map[string]string{"log": strings.Repeat("é", (MaxValueBytes-len(clipped))/2) + clipped}},
	}
	for _, tt := range tests {
		got := flattenDetails([]byte(tt.raw))
		if dump(got) != dump(tt.want) {
			t.Errorf("flattenDetails(%s) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

// payload.timestamp is ISO 8601 in PagerDuty's examples (+0000, no colon);
// one that does not parse is ignored, not fatal.
func TestPagerDutyTimestamp(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2015-07-17T08:42:58.315+0000", time.Date(2015, 7, 17, 8, 42, 58, 315e6, time.UTC)},
		{"2015-07-17T10:42:58+0200", time.Date(2015, 7, 17, 8, 42, 58, 0, time.UTC)},
		{"2015-07-17T08:42:58Z", time.Date(2015, 7, 17, 8, 42, 58, 0, time.UTC)},
		{"2015-07-17T09:42:58.5+01:00", time.Date(2015, 7, 17, 8, 42, 58, 5e8, time.UTC)},
		{"", time.Time{}},
		{"17/07/2015 08:42", time.Time{}},
	}
	for _, tt := range tests {
		body := `{"routing_key":"` + pdKey + `","event_action":"trigger","payload":{"summary":"s","source":"h","severity":"info","timestamp":"` + tt.in + `"}}`
		ev, _, err := PagerDuty([]byte(body), pdKeys)
		if err != nil {
			t.Fatalf("%q: %v", tt.in, err)
		}
		if !ev.At.Equal(tt.want) {
			t.Errorf("%q: At = %v, want %v", tt.in, ev.At, tt.want)
		}
	}
}
