package ingest

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
)

// pdChange is a change event, as POSTed to /v2/change/enqueue
// (developer.pagerduty.com/docs/events-api-v2/send-change-events).
type pdChange struct {
	RoutingKey string           `json:"routing_key"`
	Payload    *pdChangePayload `json:"payload"`
	Links      []pdLink         `json:"links"`
}

type pdChangePayload struct {
	Summary       string          `json:"summary"`
	Source        string          `json:"source"`
	Timestamp     string          `json:"timestamp"`
	CustomDetails json.RawMessage `json:"custom_details"`
}

// Change is a change event read: what changed, when, from where, with its
// details as sent (an object; other JSON values are kept under "value").
type Change struct {
	Summary string
	Source  string
	At      time.Time // zero when the event gives no usable timestamp
	Details map[string]any
	Links   []alert.Link
}

// PagerDutyChangeAccepted is the body PagerDuty sends with 202 Accepted
// for a change event: {"status":"success","message":"Change event processed"}.
func PagerDutyChangeAccepted() []byte {
	return marshalReply(pdReply{Status: pdAccepted, Message: "Change event processed"})
}

// PagerDutyChange reads one change event, validating it as PagerDuty
// does: routing_key and payload.summary (at most 1024 characters) are
// required; source, timestamp, custom_details and links are optional.
// lookup finds the integration for the routing key, as for PagerDuty; an
// integration of another type is unknown. The error is Errors or
// ErrUnknownRoutingKey, which PagerDutyReply turns into PagerDuty's answer.
func PagerDutyChange(body []byte, lookup func(routingKey string) (Integration, bool)) (Change, Integration, error) {
	var in pdChange
	if errs := decode(body, &in); errs != nil {
		return Change{}, Integration{}, errs
	}
	var errs Errors
	integ, known := pdIntegration(&errs, in.RoutingKey, lookup)
	if !known {
		return Change{}, Integration{}, ErrUnknownRoutingKey
	}
	var c Change
	switch p := in.Payload; {
	case p == nil:
		errs.add("payload", "is missing")
	default:
		switch {
		case blank(p.Summary):
			errs.add("payload.summary", "is missing or blank")
		case chars(p.Summary) > maxSummaryChars:
			errs.add("payload.summary", "is too long (maximum is %d characters)", maxSummaryChars)
		}
		c.Summary, c.Source = p.Summary, p.Source
		c.At = pdTime(p.Timestamp, integ.window())
		if raw := bytes.TrimSpace(p.CustomDetails); len(raw) > 0 && string(raw) != "null" {
			if err := json.Unmarshal(raw, &c.Details); err != nil {
				var v any
				_ = json.Unmarshal(raw, &v)
				c.Details = map[string]any{"value": v}
			}
		}
	}
	if len(errs) > 0 {
		return Change{}, integ, errs
	}
	for _, l := range in.Links {
		c.Links = addLink(c.Links, l.Href, l.Text)
	}
	return c, integ, nil
}
