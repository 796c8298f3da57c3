package pager

import (
	"reflect"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/store"
)

// One goroutine applies and commits every change, so what it does for each
// alert bounds how many a second Vigil takes in. What an event gives a new
// alert that depends on the event alone, its dedup key, its labels packed,
// and its labels, annotations and links as the store writes them, is worked
// out before the request joins the queue, by the goroutine that took it in
// (Ingest): the callers of many requests do it at once (BENCHMARKS.md,
// "Ninth round"). Requests that come another way (the inbox of a replica
// that does not lead) have the pager work it out as before.

// prepared is what the pager needs of one event, worked out ahead.
type prepared struct {
	key string // ev.DedupKey()
	// For an event that triggers: the alert's labels (alertLabels),
	// packed, and the text of its row; nil when the event does not open
	// an alert.
	labels map[string]string
	packed alert.LabelSet
	text   *encoded
}

// encoded is the text of a new alert's row, with the labels, annotations
// and links it was made from: it stands for the row only while the row
// still holds those same ones (see still). The pager never changes a map or
// list of an alert in place; it replaces it.
type encoded struct {
	text        store.RowText
	labels      map[string]string
	annotations map[string]string
	links       []alert.Link
}

// prepare works out what the pager needs of events, on the caller's
// goroutine.
func prepare(events []alert.Event) []prepared {
	out := make([]prepared, len(events))
	for i, ev := range events {
		out[i].key = ev.DedupKey()
		if ev.Action != alert.Trigger {
			continue
		}
		labels := alertLabels(ev, severityOf(ev))
		out[i].labels, out[i].packed = labels, alert.PackLabels(labels)
		out[i].text = &encoded{text: store.EncodeText(labels, ev.Annotations, ev.Links),
			labels: labels, annotations: ev.Annotations, links: ev.Links}
	}
	return out
}

// still returns the text when r holds what it was made from, else nil for
// the store to encode r's own.
func (e *encoded) still(r alertRow) *store.RowText {
	if e == nil || r.LabelsUnloaded || r.AnnotationsUnloaded || r.LinksUnloaded ||
		!sameMap(r.Labels, e.labels) || !sameMap(r.Annotations, e.annotations) || !sameList(r.Links, e.links) {
		return nil
	}
	return &e.text
}

// sameMap reports whether a and b are the same map, not only equal ones.
func sameMap(a, b map[string]string) bool {
	return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
}

// sameList reports whether a and b are the same list.
func sameList(a, b []alert.Link) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// severityOf is the severity an event gives a new alert.
func severityOf(ev alert.Event) alert.Severity {
	if ev.Severity == "" {
		return alert.Error
	}
	return ev.Severity
}
