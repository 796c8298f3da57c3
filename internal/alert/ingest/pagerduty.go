package ingest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/timebound"
)

// pdEvent is an Events API v2 alert event, as POSTed to /v2/enqueue
// (developer.pagerduty.com/docs/events-api-v2/trigger-events).
type pdEvent struct {
	RoutingKey  string     `json:"routing_key"`
	EventAction string     `json:"event_action"`
	DedupKey    string     `json:"dedup_key"`
	Payload     *pdPayload `json:"payload"`
	Images      []pdImage  `json:"images"`
	Links       []pdLink   `json:"links"`
	Client      string     `json:"client"`
	ClientURL   string     `json:"client_url"`
}

type pdPayload struct {
	Summary   string `json:"summary"`
	Source    string `json:"source"`
	Severity  string `json:"severity"`
	Timestamp string `json:"timestamp"`
	Component string `json:"component"`
	Group     string `json:"group"`
	Class     string `json:"class"`
	// CustomDetails is documented as an object, but senders put strings and
	// arrays there too and PagerDuty shows them, so it is kept raw.
	CustomDetails json.RawMessage `json:"custom_details"`
}

type pdImage struct {
	Src  string `json:"src"`
	Href string `json:"href"`
	Alt  string `json:"alt"`
}

type pdLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// ErrUnknownRoutingKey is PagerDuty's error when no integration has the
// event's routing key; PagerDuty answers it with 400 "Invalid routing key".
const ErrUnknownRoutingKey = constError("Invalid routing key")

// PagerDuty reads one Events API v2 event, validating it as PagerDuty does:
// routing_key and event_action are required; acknowledge and resolve need a
// dedup_key; a trigger needs payload.summary (at most 1024 characters),
// payload.source and payload.severity (critical, error, warning or info);
// dedup_key is at most 255 characters. PagerDuty rejects a longer summary
// outright (400, "'summary' is too long") rather than cutting it, and so does
// Vigil, so a sender sees the same result from either. A trigger without a
// dedup_key gets a new random one, as PagerDuty does, which is Event.Key and
// goes back to the sender in the response.
//
// lookup finds the integration for a routing key; it should match only
// pagerduty integrations and compare keys in constant time. An integration of
// another type is treated as unknown all the same, so an Alertmanager key
// cannot post PagerDuty events. The error is Errors or ErrUnknownRoutingKey;
// PagerDutyReply turns either into PagerDuty's response. The Integration is
// returned whenever the key was known, even with an error, for logging.
//
// payload.timestamp is read as ISO 8601 with or without a colon in the
// offset (PagerDuty's own example is 2015-07-17T08:42:58.315+0000); one that
// does not parse, or lies before 1970 or over a year after the integration's
// Received, is ignored rather than rejected (the event counts from when it
// arrived), because PagerDuty does not document rejecting it and a lost
// page costs more than a wrong time.
func PagerDuty(body []byte, lookup func(routingKey string) (Integration, bool)) (alert.Event, Integration, error) {
	var in pdEvent
	if errs := decode(body, &in); errs != nil {
		return alert.Event{}, Integration{}, errs
	}
	var errs Errors
	integ, known := pdIntegration(&errs, in.RoutingKey, lookup)
	if !known {
		return alert.Event{}, Integration{}, ErrUnknownRoutingKey
	}

	ev := alert.Event{
		Action:      alert.Action(in.EventAction),
		Source:      alert.SourcePagerDuty,
		Integration: integ.ID,
		Key:         in.DedupKey,
		Service:     integ.Service,
	}
	switch ev.Action {
	case alert.Trigger, alert.Acknowledge, alert.Resolve:
	case "":
		errs.add("event_action", "is missing or blank")
	default:
		errs.add("event_action", "%s is not one of trigger, acknowledge, resolve", quote(in.EventAction))
	}
	switch {
	case chars(in.DedupKey) > maxKeyChars:
		errs.add("dedup_key", "is too long (maximum is %d characters)", maxKeyChars)
	case blank(in.DedupKey) && (ev.Action == alert.Acknowledge || ev.Action == alert.Resolve):
		errs.add("dedup_key", "is missing or blank (required to %s)", ev.Action)
	}
	if ev.Action == alert.Trigger {
		in.Payload.fill(&ev, &errs, integ.window())
	}
	if len(errs) > 0 {
		return alert.Event{}, integ, errs
	}

	if ev.Action == alert.Trigger {
		ev.Links = in.links()
		if blank(ev.Key) {
			ev.Key = newDedupKey()
		}
	}
	return ev, integ, nil
}

// fill validates a trigger's payload and maps it onto ev. PagerDuty ignores
// the payload of acknowledge and resolve events, and so does Vigil.
func (p *pdPayload) fill(ev *alert.Event, errs *Errors, w timebound.Window) {
	if p == nil {
		errs.add("payload", "is missing (required to trigger)")
		return
	}
	switch {
	case blank(p.Summary):
		errs.add("payload.summary", "is missing or blank")
	case chars(p.Summary) > maxSummaryChars:
		errs.add("payload.summary", "is too long (maximum is %d characters)", maxSummaryChars)
	}
	if blank(p.Source) {
		errs.add("payload.source", "is missing or blank")
	}
	switch sev := alert.Severity(p.Severity); sev {
	case alert.Critical, alert.Error, alert.Warning, alert.Info:
		ev.Severity = sev
	case "":
		errs.add("payload.severity", "is missing or blank")
	default:
		errs.add("payload.severity", "%s is not one of critical, error, warning, info", quote(p.Severity))
	}
	ev.Summary = p.Summary
	ev.At = pdTime(p.Timestamp, w)
	ev.Labels = make(map[string]string, 4)
	for _, kv := range [...][2]string{{"source", p.Source}, {"component", p.Component}, {"group", p.Group}, {"class", p.Class}} {
		if kv[1] != "" {
			ev.Labels[kv[0]] = kv[1]
		}
	}
	ev.Annotations = flattenDetails(p.CustomDetails)
}

// links gathers the event's context links: links[], images that link
// somewhere (Vigil does not show images inline), and the sending client.
func (in *pdEvent) links() []alert.Link {
	links := make([]alert.Link, 0, len(in.Links)+len(in.Images)+1)
	for _, l := range in.Links {
		links = addLink(links, l.Href, l.Text)
	}
	for _, im := range in.Images {
		text := im.Alt
		if text == "" {
			text = "Image"
		}
		href := im.Href
		if href == "" {
			href = im.Src
		}
		links = addLink(links, href, text)
	}
	client := in.Client
	if client == "" {
		client = "Client"
	}
	return addLink(links, in.ClientURL, client)
}

// flattenDetails turns custom_details into annotations: strings as they are,
// other values as compact JSON. A custom_details that is not an object is
// kept whole under "custom_details". PagerDuty takes any size within the
// request's 512 KB, so a value over MaxValueBytes is shortened rather than
// refused: refusing would lose the alert.
func flattenDetails(raw json.RawMessage) map[string]string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var fields map[string]json.RawMessage
	if raw[0] != '{' || json.Unmarshal(raw, &fields) != nil {
		return map[string]string{"custom_details": clip(jsonText(raw), MaxValueBytes)}
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		out[k] = clip(jsonText(v), MaxValueBytes)
	}
	return out
}

// jsonText is a JSON string's value, or any other JSON value compacted.
func jsonText(raw json.RawMessage) string {
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		return string(raw)
	}
	return b.String()
}

// pdTime reads payload.timestamp within w: RFC 3339, or ISO 8601 with a
// +hhmm offset. Anything else is zero: now.
func pdTime(s string, w timebound.Window) time.Time {
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700"} {
		if t, err := time.Parse(layout, s); err == nil && w.Problem(t) == "" {
			return t
		}
	}
	return time.Time{}
}

// newDedupKey makes a key as PagerDuty does for a trigger without one: a
// random version 4 UUID written as 32 hex digits.
func newDedupKey() string {
	var b [16]byte
	rand.Read(b[:]) // never fails; crypto/rand crashes the program instead
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return hex.EncodeToString(b[:])
}

// pdIntegration finds the PagerDuty integration a routing key names. A
// blank key is reported in errs (known stays true, so every other problem
// is reported with it); a key that names no PagerDuty integration is not
// known.
func pdIntegration(errs *Errors, key string, lookup func(routingKey string) (Integration, bool)) (integ Integration, known bool) {
	if blank(key) {
		errs.add("routing_key", "is missing or blank")
		return Integration{}, true
	}
	integ, ok := lookup(key)
	if !ok || (integ.Type != "" && integ.Type != "pagerduty") {
		return Integration{}, false
	}
	return integ, true
}
