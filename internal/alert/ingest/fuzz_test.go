package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/alert"
)

// The parsers take bodies from the network. These fuzz targets hold them to
// what their doc comments promise, for any input: no panic; a rejected body
// gets Errors, each with a message and, unless the body is not a JSON
// object at all, the field it is about; an accepted body gives events that
// respect the limits and map the body's own count, keys and times. Seeds
// are the testdata payloads and run with every go test; to search for new
// inputs (see README, Developing):
//
//	go test -run '^$' -fuzz '^FuzzAlertmanager$' -fuzztime 30s -fuzzminimizetime 10s ./internal/alert/ingest/

var fuzzInteg = Integration{ID: "fuzz", Type: "generic", Service: "default-svc"}

// seeds adds every testdata file matching pattern to f's corpus.
func seeds(f *testing.F, pattern string) {
	f.Helper()
	names, err := filepath.Glob(filepath.Join("testdata", pattern))
	if err != nil || len(names) == 0 {
		f.Fatalf("no seeds for %s: %v", pattern, err)
	}
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// isObject reports whether body is well-formed JSON whose value is an object.
func isObject(body []byte) bool {
	t := bytes.TrimLeft(body, " \t\r\n")
	return json.Valid(body) && len(t) > 0 && t[0] == '{'
}

// checkRejected asserts err is a non-empty Errors, each naming its field
// when the body is a JSON object.
func checkRejected(t *testing.T, body []byte, err error) {
	t.Helper()
	var es Errors
	if !errors.As(err, &es) || len(es) == 0 {
		t.Fatalf("error %T %v, want a non-empty Errors", err, err)
	}
	for _, e := range es {
		if strings.TrimSpace(e.Message) == "" {
			t.Fatalf("an error without a message: %+v", es)
		}
		if e.Field == "" && isObject(body) {
			t.Fatalf("an error without its field for a JSON object body: %q", e.Message)
		}
	}
}

// checkEvent asserts what every accepted event holds, whatever the format.
func checkEvent(t *testing.T, i int, ev alert.Event, source string) {
	t.Helper()
	switch {
	case ev.Source != source:
		t.Fatalf("event %d: source %q, want %q", i, ev.Source, source)
	case ev.Action != alert.Trigger && ev.Action != alert.Acknowledge && ev.Action != alert.Resolve:
		t.Fatalf("event %d: action %q", i, ev.Action)
	case strings.TrimSpace(ev.Key) == "" || utf8.RuneCountInString(ev.Key) > maxKeyChars:
		t.Fatalf("event %d: key %q is blank or longer than %d characters", i, ev.Key, maxKeyChars)
	case ev.Action == alert.Trigger && strings.TrimSpace(ev.Summary) == "":
		t.Fatalf("event %d: a trigger without a summary", i)
	case ev.Service == "":
		t.Fatalf("event %d: no service, not even the integration's", i)
	}
	if _, ok := alert.ParseSeverity(string(ev.Severity)); ev.Action == alert.Trigger && !ok {
		t.Fatalf("event %d: severity %q", i, ev.Severity)
	}
	for _, m := range []map[string]string{ev.Labels, ev.Annotations} {
		for k, v := range m {
			if len(v) > MaxValueBytes {
				t.Fatalf("event %d: %s holds %d bytes, over the limit", i, k, len(v))
			}
		}
	}
	for _, l := range ev.Links {
		if !webURL(l.Href) {
			t.Fatalf("event %d: link %q is not an http(s) URL", i, l.Href)
		}
	}
	if _, err := json.Marshal(ev); err != nil {
		t.Fatalf("event %d does not encode: %v", i, err)
	}
}

// elements counts the members of the array named array in body, matching
// the name as encoding/json does (in any case; a later key overwrites an
// earlier one), which is how Alertmanager itself reads its payloads.
func elements(t *testing.T, body []byte, array string) int {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(body))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("an accepted body is not an object: %v", err)
	}
	n := 0
	for d.More() {
		key, err := d.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			t.Fatal(err)
		}
		if k, _ := key.(string); strings.EqualFold(k, array) {
			var items []json.RawMessage
			if err := json.Unmarshal(v, &items); err != nil {
				t.Fatalf("an accepted body's %s is not an array: %v", k, err)
			}
			n = len(items)
		}
	}
	return n
}

// fuzzBatch is the shared body of the Alertmanager and Grafana targets.
func fuzzBatch(t *testing.T, body []byte, source string, parse func([]byte, Integration) ([]alert.Event, error)) {
	events, err := parse(body, fuzzInteg)
	if err != nil {
		if events != nil {
			t.Fatalf("events returned with an error: %v", err)
		}
		checkRejected(t, body, err)
		return
	}
	if n := elements(t, body, "alerts"); len(events) != n {
		t.Fatalf("%d events from %d alerts", len(events), n)
	}
	for i, ev := range events {
		checkEvent(t, i, ev, source)
		if ev.Action == alert.Acknowledge || ev.Integration != fuzzInteg.ID {
			t.Fatalf("event %d: %s from integration %q", i, ev.Action, ev.Integration)
		}
		if want := ev.Labels["service"]; want != "" && ev.Service != want {
			t.Fatalf("event %d: service %q, label says %q", i, ev.Service, want)
		}
	}
	again, err := parse(body, fuzzInteg)
	if err != nil || !reflect.DeepEqual(events, again) {
		t.Fatalf("parsing the same body twice differs: %v", err)
	}
}

func FuzzAlertmanager(f *testing.F) {
	seeds(f, "am_*.json")
	f.Add([]byte(`{"version":"4","alerts":[{"status":"firing","labels":{"alertname":"x"},"fingerprint":" "}]}`))
	f.Fuzz(func(t *testing.T, body []byte) { fuzzBatch(t, body, alert.SourceAlertmanager, Alertmanager) })
}

func FuzzGrafana(f *testing.F) {
	seeds(f, "grafana_*.json")
	f.Fuzz(func(t *testing.T, body []byte) { fuzzBatch(t, body, alert.SourceGrafana, Grafana) })
}

func FuzzGeneric(f *testing.F) {
	seeds(f, "generic/*.json")
	f.Add([]byte(`{"events":[{"key":"a","summary":"s"},{"key":"b","action":"resolve"}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		events, err := Generic(body, fuzzInteg)
		if err != nil {
			if events != nil {
				t.Fatalf("events returned with an error: %v", err)
			}
			checkRejected(t, body, err)
			return
		}
		want := 1
		var probe struct {
			Events json.RawMessage `json:"events"`
		}
		if json.Unmarshal(body, &probe) == nil && probe.Events != nil {
			want = elements(t, body, "events")
		}
		if len(events) != want {
			t.Fatalf("%d events, want %d", len(events), want)
		}
		for i, ev := range events {
			checkEvent(t, i, ev, alert.SourceGeneric)
		}
	})
}

func FuzzPagerDuty(f *testing.F) {
	seeds(f, "pagerduty/*.json")
	lookup := func(key string) (Integration, bool) {
		switch key {
		case "R0UT1NGKEY0000000000000000000001":
			return Integration{ID: "orders", Type: "pagerduty", Service: "shop"}, true
		case "am-key":
			return Integration{ID: "prometheus", Type: "alertmanager"}, true
		}
		return Integration{}, false
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, integ, err := PagerDuty(body, lookup)
		status, reply := PagerDutyReply(ev.Key, err)
		if !json.Valid(reply) || (status != 202 && status != 400) {
			t.Fatalf("reply %d %s", status, reply)
		}
		switch {
		case errors.Is(err, ErrUnknownRoutingKey):
			if integ != (Integration{}) {
				t.Fatalf("an unknown key came back with integration %+v", integ)
			}
			return
		case err != nil:
			checkRejected(t, body, err)
			return
		}
		if status != 202 || integ.Type != "pagerduty" || ev.Integration != integ.ID {
			t.Fatalf("accepted as %d through %+v, event integration %q", status, integ, ev.Integration)
		}
		checkEvent(t, 0, ev, alert.SourcePagerDuty)
	})
}
