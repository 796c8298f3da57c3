package pager

import (
	"reflect"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/store"
)

// One goroutine applies and commits every change, so what it does for each
// alert bounds how many a second Vigil takes in. What depends on the event
// alone is worked out before the request joins the queue, by the goroutine
// that took it in (callLoop, on the way from Ingest), so that the callers
// of many requests do it at once (BENCHMARKS.md, "Ninth round"): the dedup key, the hashes of the
// annotations and links a resend is compared by, and for an event that
// triggers, its labels packed and its labels, annotations and links as the
// store writes them. Requests that come another way (the inbox of a replica
// that does not lead) have the pager work them out as before.

// prepared is what the pager needs of one event, worked out ahead.
type prepared struct {
	key string // ev.DedupKey()
	// hashed says annSum and linkSum are the hashes of the event's
	// annotations and links (annotations.go).
	hashed          bool
	annSum, linkSum uint64
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
	// annSum and linkSum are the hashes of annotations and links.
	annSum, linkSum uint64
}

// prepare works out what the pager needs of events, on the caller's
// goroutine.
func (p *Pager) prepare(events []alert.Event) []prepared {
	out := make([]prepared, len(events))
	for i, ev := range events {
		pre := &out[i]
		pre.key = ev.DedupKey()
		pre.hashed, pre.annSum, pre.linkSum = true, annotationsSum(p.annSeed, ev.Annotations), linksSum(p.annSeed, ev.Links)
		if ev.Action != alert.Trigger {
			continue
		}
		labels := alertLabels(ev, severityOf(ev))
		pre.labels, pre.packed = labels, alert.PackLabels(labels)
		pre.text = &encoded{text: store.EncodeText(labels, ev.Annotations, ev.Links),
			labels: labels, annotations: ev.Annotations, links: ev.Links, annSum: pre.annSum, linkSum: pre.linkSum}
	}
	return out
}

// sums returns the hashes of ev's annotations and links: pre's when
// prepare made them.
func (p *Pager) sums(ev alert.Event, pre prepared) (ann, links uint64) {
	if pre.hashed {
		return pre.annSum, pre.linkSum
	}
	return annotationsSum(p.annSeed, ev.Annotations), linksSum(p.annSeed, ev.Links)
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

// annotationsSumOf returns the hash of r's annotations, which are in
// memory: e's when they are the very map e was made from.
func (p *Pager) annotationsSumOf(r alertRow, e *encoded) uint64 {
	if e != nil && sameMap(r.Annotations, e.annotations) {
		return e.annSum
	}
	return annotationsSum(p.annSeed, r.Annotations)
}

// linksSumOf returns the hash of r's links, which are in memory: e's when
// they are the very list e was made from.
func (p *Pager) linksSumOf(r alertRow, e *encoded) uint64 {
	if e != nil && sameList(r.Links, e.links) {
		return e.linkSum
	}
	return linksSum(p.annSeed, r.Links)
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
