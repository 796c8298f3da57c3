package notify

import (
	"context"
	"strings"
	"testing"
)

func TestSendersRouteByType(t *testing.T) {
	var got []string
	record := func(name string) Sender {
		return SenderFunc(func(_ context.Context, d Destination, _ Message) error {
			got = append(got, name+":"+d.Name)
			return nil
		})
	}
	s := Senders{Slack: record("slack"), Email: record("email")}
	ctx := context.Background()
	s.Send(ctx, Destination{Type: Slack, Name: "a"}, Message{})
	s.Send(ctx, Destination{Type: Email, Name: "b"}, Message{})
	if strings.Join(got, ",") != "slack:a,email:b" {
		t.Errorf("routed %v", got)
	}
	err := s.Send(ctx, Destination{Type: Webhook, Name: "c"}, Message{})
	if err == nil || !strings.Contains(err.Error(), `no sender for "webhook"`) {
		t.Errorf("err = %v", err)
	}
	if retry, _ := Retry(err); retry {
		t.Error("a missing sender is retryable")
	}
}
