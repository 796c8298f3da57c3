package ingest

import (
	"time"

	"github.com/vigil-sre/vigil/internal/timebound"
)

// Integration is the configured sender a payload arrived through.
type Integration struct {
	ID      string // becomes Event.Integration, scoping dedup keys
	Type    string // alertmanager, pagerduty, grafana or generic
	Service string // default Event.Service when the payload names none
	// Received is when the payload arrived: its times must lie between 1970
	// and a year after it. Zero admits any time that can be stored.
	Received time.Time
	// RequireService refuses a trigger that names no service: a sender
	// without an integration (an API token) has no default to fall back on.
	RequireService bool
}

// window bounds the times of a payload.
func (in Integration) window() timebound.Window {
	if in.Received.IsZero() {
		return timebound.Storable()
	}
	return timebound.Ahead(in.Received)
}

// Limits on one request, beyond the body size.
const (
	// MaxAlerts bounds the alerts or events in one batch. Alertmanager sends a
	// whole group in one request unless max_alerts is set, so this is generous;
	// it stops one request from holding the ingest path for seconds.
	MaxAlerts = 10_000

	// MaxValueBytes bounds one label or annotation value. Real values are a
	// line or a paragraph; anything larger is a template gone wrong.
	MaxValueBytes = 8 << 10

	// MaxPairs bounds the labels, and the annotations, of one alert: a
	// few dozen is a lot; thousands only make every page that shows it,
	// and every notification about it, huge.
	MaxPairs = 256

	// MaxNameBytes bounds a label or annotation name.
	MaxNameBytes = 256

	// maxKeyChars is PagerDuty's limit on dedup_key, applied to every format
	// so that any key Vigil stores could be forwarded to PagerDuty.
	maxKeyChars = 255

	// maxSummaryChars is PagerDuty's limit on payload.summary.
	maxSummaryChars = 1024
)

// Body limits the HTTP layer should enforce, answering 413 above them.
const (
	// MaxBodyPagerDuty is PagerDuty's own limit on an Events API v2 request.
	MaxBodyPagerDuty = 512 << 10

	// MaxBodyBatch suits Alertmanager and Grafana: a realistic alert is 0.5 to
	// 1.5 KB on the wire, so 16 MiB fits MaxAlerts of them.
	MaxBodyBatch = 16 << 20

	// MaxBodyGeneric suits scripts; 1 MiB is a thousand ordinary events.
	MaxBodyGeneric = 1 << 20
)
