package slack

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/notify"
	"github.com/vigil-sre/vigil/internal/notify/internal/sendertest"
)

func TestClassification(t *testing.T) {
	sendertest.Classification(t, sendertest.Suite{
		New:  func(clk clock.Clock) notify.Sender { return New(WithClock(clk)) },
		Type: notify.Slack,
	})
}

// slackSink stands in for hooks.slack.com: it checks the request is what
// Slack accepts and keeps the payload for the test to inspect.
type slackSink struct {
	t    *testing.T
	url  string
	got  chan map[string]any
	path string
}

func newSlackSink(t *testing.T) *slackSink {
	s := &slackSink{t: t, got: make(chan map[string]any, 1), path: sendertest.SecretPath}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != s.path {
			http.Error(w, "no_service", http.StatusNotFound)
			return
		}
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		body, _ := io.ReadAll(r.Body)
		var p map[string]any
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		s.got <- p
		io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	s.url = srv.URL + s.path
	return s
}

// send delivers m through the sink and returns the payload Slack received.
func (s *slackSink) send(m notify.Message) map[string]any {
	s.t.Helper()
	err := New().Send(context.Background(), sendertest.Destination(notify.Slack, s.url), m)
	if err != nil {
		s.t.Fatalf("Send: %v", err)
	}
	p := <-s.got
	checkLimits(s.t, p)
	return p
}

func TestSendRefusesOtherDestinations(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name string
		d    notify.Destination
		want string
	}{
		{"wrong type", notify.Destination{Type: notify.Webhook, Name: "x"}, `of type "webhook"`},
		{"no URL", notify.Destination{Type: notify.Slack, Name: "x"}, "has no URL"},
		{"not http", sendertest.Destination(notify.Slack, "ftp://hooks.slack.com"+sendertest.SecretPath), "invalid URL"},
		{"unparseable", sendertest.Destination(notify.Slack, "https://hooks.slack.com/%zz"+sendertest.SecretPath), "invalid URL"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := New().Send(ctx, c.d, sendertest.Message())
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if retry, _ := notify.Retry(err); retry {
				t.Errorf("a bad destination is retryable: %v", err)
			}
			sendertest.NoLeak(t, err, sendertest.SecretPath, "hunter2")
		})
	}
}
