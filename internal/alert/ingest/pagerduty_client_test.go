package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sync"
	"testing"

	"github.com/PagerDuty/go-pagerduty"

	"github.com/vigil-sre/vigil/internal/alert"
)

// pdServer answers /v2/enqueue as the web handler will: the body limit,
// PagerDuty() and PagerDutyReply. It records the events it accepted.
type pdServer struct {
	*httptest.Server
	mu     sync.Mutex
	events []alert.Event
}

func newPDServer(t *testing.T) *pdServer {
	s := &pdServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/v2/enqueue" {
			http.NotFound(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyPagerDuty))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		ev, _, err := PagerDuty(body, pdKeys)
		if err == nil {
			s.mu.Lock()
			s.events = append(s.events, ev)
			s.mu.Unlock()
		}
		status, reply := PagerDutyReply(ev.Key, err)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(reply)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *pdServer) received() []alert.Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]alert.Event(nil), s.events...)
}

// PagerDuty's Go client, pointed at Vigil with WithV2EventsAPIEndpoint, must
// get its dedup keys back and see rejected events as errors.
func TestGoPagerDutyClient(t *testing.T) {
	srv := newPDServer(t)
	client := pagerduty.NewClient("", pagerduty.WithV2EventsAPIEndpoint(srv.URL))
	client.HTTPClient = srv.Client()
	ctx := context.Background()

	resp, err := client.ManageEventWithContext(ctx, &pagerduty.V2Event{
		RoutingKey: pdKey,
		Action:     "trigger",
		Client:     "go-pagerduty test",
		ClientURL:  "https://ci.example.com",
		Links:      []any{map[string]string{"href": "https://dash.example.com", "text": "Dashboard"}},
		Payload: &pagerduty.V2Payload{
			Summary:   "Replication lag 300s on db-2",
			Source:    "db-2",
			Severity:  "warning",
			Timestamp: "2026-03-01T08:00:00Z",
			Component: "postgres",
			Details:   map[string]any{"lag_seconds": 300},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Status != "success" || resp.Message != "Event processed" || len(resp.DedupKey) != 32 {
		t.Fatalf("trigger response %+v", resp)
	}
	key := resp.DedupKey

	resp, err = client.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: pdKey, Action: "resolve", DedupKey: key})
	if err != nil {
		t.Fatal(err)
	}
	if resp.DedupKey != key {
		t.Errorf("resolve answered dedup_key %q, want %q", resp.DedupKey, key)
	}

	got := srv.received()
	if len(got) != 2 || got[0].Key != key || got[1].Key != key || got[1].Action != alert.Resolve {
		t.Fatalf("server received %s", dump(got))
	}
	want := alert.Event{
		Action: alert.Trigger, Source: alert.SourcePagerDuty, Integration: "pd-compat", Key: key,
		Summary: "Replication lag 300s on db-2", Severity: alert.Warning, Service: "storage",
		Labels:      map[string]string{"source": "db-2", "component": "postgres"},
		Annotations: map[string]string{"lag_seconds": "300"},
		Links:       []alert.Link{{Href: "https://dash.example.com", Text: "Dashboard"}, {Href: "https://ci.example.com", Text: "go-pagerduty test"}},
		At:          mustTime(t, "2026-03-01T08:00:00Z"),
	}
	sameEvents(t, got[:1], []alert.Event{want})

	// The client method treats any non-2xx as a REST API error and does not
	// parse the Events API's error list; its caller sees the status, and the
	// body is PagerDuty's, as debug capture shows.
	client.SetDebugFlag(pagerduty.DebugCaptureLastResponse)
	_, err = client.ManageEventWithContext(ctx, &pagerduty.V2Event{RoutingKey: pdKey, Action: "acknowledge"})
	var apiErr pagerduty.APIError
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest {
		t.Fatalf("acknowledge without dedup_key: err = %v, want a 400 APIError", err)
	}
	last, ok := client.LastAPIResponse()
	if !ok {
		t.Fatal("no captured response")
	}
	var body pagerduty.V2EventResponse
	if err := json.NewDecoder(last.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	wantBody := pagerduty.V2EventResponse{Status: "invalid event", Message: "Event object is invalid", Errors: []string{"dedup_key: is missing or blank (required to acknowledge)"}}
	if !reflect.DeepEqual(body, wantBody) {
		t.Errorf("error body %+v, want %+v", body, wantBody)
	}
}

// redirect sends every request to target, standing in for DNS so that the
// library's hard-coded events.pagerduty.com reaches the test server.
type redirect struct {
	target *url.URL
	next   http.RoundTripper
}

func (r redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.URL.Scheme, req.URL.Host = r.target.Scheme, r.target.Host
	return r.next.RoundTrip(req)
}

// The package-level ManageEventWithContext is the one most programs call; it
// posts to events.pagerduty.com with http.DefaultClient and, unlike the
// client method, parses the Events API's error body. Not parallel: it swaps
// http.DefaultClient's transport for the test.
func TestGoPagerDutyPackageFunc(t *testing.T) {
	srv := newPDServer(t)
	target, _ := url.Parse(srv.URL)
	saved := http.DefaultClient.Transport
	http.DefaultClient.Transport = redirect{target: target, next: srv.Client().Transport}
	t.Cleanup(func() { http.DefaultClient.Transport = saved })
	ctx := context.Background()

	resp, err := pagerduty.ManageEventWithContext(ctx, pagerduty.V2Event{
		RoutingKey: pdKey,
		Action:     "trigger",
		DedupKey:   "db-2/replication",
		Payload:    &pagerduty.V2Payload{Summary: "Replication broken", Source: "db-2", Severity: "critical"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.DedupKey != "db-2/replication" || resp.Status != "success" {
		t.Errorf("response %+v", resp)
	}

	tests := []struct {
		name   string
		event  pagerduty.V2Event
		status string
		errs   []string
	}{
		{"invalid event", pagerduty.V2Event{RoutingKey: pdKey, Action: "trigger", Payload: &pagerduty.V2Payload{Summary: "x", Source: "h", Severity: "fatal"}},
			"invalid event", []string{`payload.severity: "fatal" is not one of critical, error, warning, info`}},
		{"unknown routing key", pagerduty.V2Event{RoutingKey: "not-a-key", Action: "resolve", DedupKey: "k"},
			"invalid event", []string{"Invalid routing key"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pagerduty.ManageEventWithContext(ctx, tt.event)
			var pdErr pagerduty.EventsAPIV2Error
			if !errors.As(err, &pdErr) {
				t.Fatalf("err = %v (%T), want EventsAPIV2Error", err, err)
			}
			obj := pdErr.APIError.ErrorObject
			if !pdErr.BadRequest() || pdErr.Temporary() || !pdErr.APIError.Valid || obj.Status != tt.status || !reflect.DeepEqual(obj.Errors, tt.errs) {
				t.Errorf("error %+v", pdErr)
			}
		})
	}
}
