package pager

import (
	"context"
	"encoding/binary"
	"hash/maphash"
	"maps"
	"slices"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/store"
)

// An open alert's annotations (summary, description, runbook_url ...) and
// links are read only when a notification is rendered, yet they weigh as
// much as its labels. Once stored they leave memory: the pager keeps a hash
// of each, to tell a resend that changes them from one that does not, and
// reads them back from the store for the notifications it renders.

// The labels are read often (silences, maintenance, inhibition) but
// change only with the severity: once stored, the row's map leaves memory
// too and the alert keeps them packed (alertState.labels).

// unload drops an alert's stored annotations and links from memory, keeping
// their hashes, and its labels' map, keeping them packed. e, when not nil,
// is the text prepared for the alert's row, whose hashes stand while the
// row holds what it was made from.
func (p *Pager) unload(a *alertState, e *encoded) {
	a.row.Labels, a.row.LabelsUnloaded = nil, true
	if !a.row.LinksUnloaded {
		a.linkSum = p.linksSumOf(a.row, e)
		a.row.Links, a.row.LinksUnloaded = nil, true
	}
	if a.row.AnnotationsUnloaded {
		return
	}
	a.annSum = p.annotationsSumOf(a.row, e)
	a.row.Annotations, a.row.AnnotationsUnloaded = nil, true
}

// whole is the alert's row with its labels, for those outside the pager
// that read them (a check alert's check is named by its labels).
func (a *alertState) whole() store.AlertRow {
	r := a.row.storeRow()
	if r.LabelsUnloaded {
		r.Labels, r.LabelsUnloaded = a.labels.Map(), false
	}
	return r
}

// setAnnotations gives the alert new annotations when they differ from its
// own: equal ones are not set, so that a resend that changes nothing else is
// written as a count (see change.batch). sum is their hash.
func (p *Pager) setAnnotations(a *alertState, ann map[string]string, sum uint64) {
	if a.row.AnnotationsUnloaded {
		if sum == a.annSum {
			return
		}
	} else if maps.Equal(ann, a.row.Annotations) {
		return
	}
	a.row.Annotations, a.row.AnnotationsUnloaded = ann, false
}

// setLinks gives the alert new links when they differ from its own, as
// setAnnotations does annotations.
func (p *Pager) setLinks(a *alertState, links []alert.Link, sum uint64) {
	if a.row.LinksUnloaded {
		if sum == a.linkSum {
			return
		}
	} else if slices.Equal(links, a.row.Links) {
		return
	}
	a.row.Links, a.row.LinksUnloaded = links, false
}

// linksSum hashes a list of links, in order, with the pager's seed.
func linksSum(seed maphash.Seed, links []alert.Link) uint64 {
	var h maphash.Hash
	h.SetSeed(seed)
	var n [8]byte
	for _, l := range links {
		for _, s := range [2]string{l.Href, l.Text} {
			binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
			h.Write(n[:])
			h.WriteString(s)
		}
	}
	return h.Sum64()
}

// annotationsSum hashes a set of annotations, in any order: the sum of a
// seeded hash of each pair. The seed is the pager's own, so nobody can make
// two sets collide on purpose.
func annotationsSum(seed maphash.Seed, ann map[string]string) uint64 {
	var sum uint64
	var h maphash.Hash
	h.SetSeed(seed)
	var n [8]byte
	for k, v := range ann {
		h.Reset()
		// The name's length first: names and values may hold any byte.
		binary.LittleEndian.PutUint64(n[:], uint64(len(k)))
		h.Write(n[:])
		h.WriteString(k)
		h.WriteString(v)
		sum += h.Sum64()
	}
	return sum
}

// storedFor reads, in one query, the annotations and links of the alerts
// about to be rendered that are not in memory (unload drops both at once).
func (p *Pager) storedFor(out *outgoing) (map[int64]store.Shown, error) {
	var ids []int64
	for _, k := range out.order {
		for _, a := range out.msgs[k].alerts {
			if a.row.AnnotationsUnloaded || a.row.LinksUnloaded {
				ids = append(ids, a.row.ID)
			}
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return p.opt.Store.AlertsShown(ctx, distinct(ids))
}

// distinct sorts ids and drops repeats: an alert in the messages of several
// destinations is read once.
func distinct(ids []int64) []int64 {
	slices.Sort(ids)
	return slices.Compact(ids)
}
