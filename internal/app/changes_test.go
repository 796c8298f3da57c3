package app

import (
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PagerDuty/go-pagerduty"
)

// TestPagerDutyChangeEvents: PagerDuty's own client sends a change event
// to /v2/change/enqueue and gets PagerDuty's answer; the change is a
// deploy of the integration's service, with the version, commits and
// environment from custom_details, the source as who deployed, the
// timestamp as when, and the summary and links as notes. Bad events get
// PagerDuty's 400 with each problem; an unknown routing key is refused.
func TestPagerDutyChangeEvents(t *testing.T) {
	prod, staging, sk := newTarget(t), newTarget(t), newSink(t)
	h := start(t, deployConfig(prod.URL, staging.URL, sk.URL, filepath.Join(t.TempDir(), "r")), "")
	client := pagerduty.NewClient("", pagerduty.WithV2EventsAPIEndpoint(h.url))
	resp, err := client.CreateChangeEventWithContext(context.Background(), pagerduty.ChangeEvent{
		RoutingKey: changeKey,
		Payload: pagerduty.ChangeEventPayload{
			Summary:   "Build Success: Increase snapshot create timeout to 30 seconds",
			Source:    "acme-build-pipeline-tool-default-i-9999",
			Timestamp: "2026-11-23T08:42:58.315+0000",
			CustomDetails: map[string]interface{}{"build_state": "passed", "build_number": "2", "run_time": "1236s",
				"version": "2.0.0", "commits": []map[string]string{{"sha": "9f1c2e", "at": "2026-11-23T07:12:00Z"}}},
		},
		Links: []pagerduty.ChangeEventLink{{Href: "https://acme.pagerduty.dev/build/2", Text: "View more details in Acme!"}},
	})
	if err != nil || resp.Status != "success" || resp.Message != "Change event processed" {
		t.Fatalf("change event: %+v %v", resp, err)
	}
	var ds []struct {
		deployJSON
		At    time.Time `json:"at"`
		Notes string    `json:"notes"`
	}
	h.do("GET", "/api/v1/deploys", "", nil, &ds)
	if len(ds) != 1 {
		t.Fatalf("deploys: %+v", ds)
	}
	d := ds[0]
	if d.Service != "shop" || d.Version != "2.0.0" || d.Environment != "production" || d.Source != "pagerduty/builds" ||
		d.By != "acme-build-pipeline-tool-default-i-9999" || !d.At.Equal(time.Date(2026, 11, 23, 8, 42, 58, 315e6, time.UTC)) ||
		d.Notes != "Build Success: Increase snapshot create timeout to 30 seconds\nView more details in Acme! https://acme.pagerduty.dev/build/2" ||
		len(d.Commits) != 1 || d.Commits[0].SHA != "9f1c2e" || d.Status != "succeeded" {
		t.Fatalf("the change as a deploy: %+v", d)
	}
	if d.Verification != nil {
		t.Fatalf("a deploy from 17 minutes ago, longer than verify_within, was verified: %+v", d.Verification)
	}

	post := func(body string) (int, string) {
		resp, err := http.Post(h.url+"/v2/change/enqueue", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := post(`{"routing_key":"` + changeKey + `","payload":{"source":"ci"},"links":[]}`); code != 400 ||
		body != `{"status":"invalid event","message":"Event object is invalid","errors":["payload.summary: is missing or blank"]}` {
		t.Fatalf("no summary: %d %s", code, body)
	}
	if code, body := post(`{"routing_key":"` + changeKey + `","payload":{"summary":"Deploy 3.0","custom_details":{"version":"3.0","release":"3.0","environment":"staging"}}}`); code != 400 ||
		!strings.Contains(body, `"payload.custom_details.release: no release \"3.0\" of service shop (give its id or version)"`) {
		t.Fatalf("unknown release: %d %s", code, body)
	}
	if code, body := post(`{"routing_key":"nope","payload":{"summary":"x"}}`); code != 401 || !strings.Contains(body, "Invalid routing key") {
		t.Fatalf("unknown key: %d %s", code, body)
	}
	if code, body := post(`{"routing_key":"` + shopDeployKey + `","payload":{"summary":"x"}}`); code != 401 {
		t.Fatalf("a deploy key is not a pagerduty key: %d %s", code, body)
	}
	if code, body := post(`not json`); code != 400 || !strings.Contains(body, "Unrecognized object") {
		t.Fatalf("not JSON: %d %s", code, body)
	}
	h.do("GET", "/api/v1/deploys", "", nil, &ds)
	if len(ds) != 1 {
		t.Fatalf("refused changes were stored: %+v", ds)
	}
}
