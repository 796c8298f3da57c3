package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/sendertest"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

func TestClassification(t *testing.T) {
	sendertest.Classification(t, sendertest.Suite{
		New:  func(clk clock.Clock) notify.Sender { return New(WithClock(clk)) },
		Type: notify.Webhook,
	})
}

// received is one request as the receiver saw it.
type received struct {
	header http.Header
	body   []byte
}

func receiver(t *testing.T) (url string, got <-chan received) {
	ch := make(chan received, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ch <- received{r.Header.Clone(), body}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + sendertest.SecretPath, ch
}

func TestSignedDelivery(t *testing.T) {
	url, got := receiver(t)
	clk := clock.NewFake(sendertest.Now())
	m := fullMessage()
	if err := New(WithClock(clk)).Send(context.Background(), sendertest.Destination(notify.Webhook, url), m); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if ev := r.header.Get(HeaderEvent); ev != "escalation" {
		t.Errorf("%s = %q", HeaderEvent, ev)
	}
	ts := r.header.Get(HeaderTimestamp)
	if ts != strconv.FormatInt(sendertest.Now().Unix(), 10) {
		t.Errorf("timestamp = %q, want the clock's time", ts)
	}
	sig := r.header.Get(HeaderSignature)
	if err := Verify(sendertest.Secret, ts, r.body, sig, sendertest.Now().Add(time.Minute), 0); err != nil {
		t.Errorf("Verify: %v", err)
	}
	tampered := bytes.Replace(r.body, []byte(`"critical"`), []byte(`"info"`), 1)
	if err := Verify(sendertest.Secret, ts, tampered, sig, sendertest.Now(), 0); err != ErrBadSignature {
		t.Errorf("Verify(tampered) = %v, want ErrBadSignature", err)
	}
	var p Payload
	if err := json.Unmarshal(r.body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Version != "1" || p.Kind != m.Kind || len(p.Alerts) != 1 || p.Alerts[0].Runbook.Doc != m.Alerts[0].Runbook.Doc {
		t.Errorf("payload does not round-trip: %+v", p)
	}
	if bytes.Contains(r.body, []byte(sendertest.Secret)) || strings.Contains(fmt.Sprint(r.header), sendertest.Secret) {
		t.Error("the secret itself was sent")
	}
}

func TestUnsignedWithoutSecret(t *testing.T) {
	url, got := receiver(t)
	d := sendertest.Destination(notify.Webhook, url)
	d.Secret = notify.Destination{}.Secret
	if err := New().Send(context.Background(), d, sendertest.Message()); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if r.header.Get(HeaderSignature) != "" || r.header.Get(HeaderTimestamp) != "" {
		t.Errorf("unsigned destination got signature headers: %v", r.header)
	}
}

// TestDeliveryHeader: a message names the notifications it carries in
// X-Vigil-Delivery, outside the signed body, so a receiver can drop a
// message a second replica sent again after the first died mid-send.
func TestDeliveryHeader(t *testing.T) {
	url, got := receiver(t)
	m := sendertest.Message()
	m.Delivery = "41,42"
	if err := New().Send(context.Background(), sendertest.Destination(notify.Webhook, url), m); err != nil {
		t.Fatal(err)
	}
	r := <-got
	if h := r.header.Get(HeaderDelivery); h != "41,42" {
		t.Errorf("%s = %q, want 41,42", HeaderDelivery, h)
	}
	if bytes.Contains(r.body, []byte("41,42")) {
		t.Error("the delivery key is in the body; receivers' payloads must not change")
	}
}

// TestPayloadGolden keeps the documented schema true: a change to the JSON
// shows up here as a diff to review, since receivers depend on it.
func TestPayloadGolden(t *testing.T) {
	body, err := Encode(fullMessage())
	if err != nil {
		t.Fatal(err)
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, body, "", "  "); err != nil {
		t.Fatal(err)
	}
	pretty.WriteByte('\n')
	path := filepath.Join("testdata", "payload.golden.json")
	if *update {
		if err := os.WriteFile(path, pretty.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(pretty.Bytes(), want) {
		t.Errorf("payload changed; if intended, run go test -update and review the diff\ngot:\n%s", pretty.Bytes())
	}
}

// fullMessage sets every field the schema has. It is spelled out here, not
// borrowed from another package, so only a change to this package can move
// the golden file.
func fullMessage() notify.Message {
	at := time.Date(2026, 11, 27, 22, 4, 0, 0, time.UTC)
	hcm := time.FixedZone("+07", 7*3600)
	return notify.Message{
		Kind: notify.KindEscalation, Title: "[FIRING:1] shop: Homepage down",
		Text: "Homepage down for 12m; escalating to step 2.", Service: "shop", Step: 2,
		URL: "https://vigil.example/alerts?group=7", At: at,
		Alerts: []notify.Alert{{
			ID: 42, Status: "firing", Severity: "critical", Summary: "Homepage down", Service: "shop",
			State: "failing", Reason: "status == 200 failed (status=503)",
			Labels:      map[string]string{"alertname": "HomepageDown", "instance": "web-1"},
			Annotations: map[string]string{"description": "GET / returned 503 three times in a row"},
			Since:       at.Add(-12 * time.Minute), Occurrences: 3,
			URL: "https://vigil.example/alerts/42", AckURL: "https://vigil.example/a/42/ack?t=sig",
			ResolveURL: "https://vigil.example/a/42/resolve?t=sig",
			Links:      []notify.Link{{Href: "https://grafana.example/d/shop", Text: "Dashboard"}},
			Runbook:    &notify.Runbook{ID: "app-down", Title: "App down", Doc: "1. Check the pods.", URL: "https://vigil.example/runbooks/app-down"},
		}},
		Handoff: &notify.Handoff{Schedule: "sre-primary", Person: "thach",
			From: time.Date(2026, 11, 30, 9, 0, 0, 0, hcm), Until: time.Date(2026, 12, 7, 9, 0, 0, 0, hcm)},
	}
}
