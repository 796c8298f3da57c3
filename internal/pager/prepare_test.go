package pager

import (
	"hash/maphash"
	"maps"
	"slices"
	"testing"

	"github.com/vigil-sre/vigil/internal/alert"
)

// TestPreparedTextStandsOnlyForItsOwn: the text encoded ahead for a new
// alert stands for its row while the row holds the very labels,
// annotations and links it was made from; a row that replaced any of them,
// even with equal ones, or let them go from memory, is encoded again.
func TestPreparedTextStandsOnlyForItsOwn(t *testing.T) {
	ev := alert.Event{Source: "alertmanager", Integration: "prom", Key: "f00d", Action: alert.Trigger,
		Labels:      map[string]string{"alertname": "DiskFull", "severity": "warning"},
		Annotations: map[string]string{"description": "95% used"},
		Links:       []alert.Link{{Href: "http://prom/graph"}}}
	pg := &Pager{annSeed: maphash.MakeSeed()}
	pre := pg.prepare([]alert.Event{ev, {Source: "alertmanager", Integration: "prom", Key: "f00d", Action: alert.Resolve}})
	if pre[0].key != "alertmanager/prom/f00d" || pre[1].key != pre[0].key || pre[1].text != nil {
		t.Fatalf("prepared %+v; want the dedup key of both, text only for the trigger", pre)
	}
	if !pre[0].hashed || pre[0].annSum != annotationsSum(pg.annSeed, ev.Annotations) || pre[0].linkSum != linksSum(pg.annSeed, ev.Links) {
		t.Fatalf("prepared hashes %+v", pre[0])
	}
	p := pre[0]
	row := alertRow{Labels: p.labels, Annotations: ev.Annotations, Links: ev.Links}
	got := p.text.still(row)
	if got == nil || got.Labels != `{"alertname":"DiskFull","severity":"warning"}` || got.Annotations != `{"description":"95% used"}` ||
		got.Links != `[{"href":"http://prom/graph"}]` {
		t.Fatalf("text for the row it was made from: %+v", got)
	}
	if p.packed.Get("severity") != "warning" {
		t.Errorf("packed labels %v", p.packed)
	}
	for name, change := range map[string]func(*alertRow){
		"labels":      func(r *alertRow) { r.Labels = maps.Clone(r.Labels) },
		"annotations": func(r *alertRow) { r.Annotations = map[string]string{"description": "96% used"} },
		"links":       func(r *alertRow) { r.Links = slices.Clone(r.Links) },
		"unloaded":    func(r *alertRow) { r.Annotations, r.AnnotationsUnloaded = nil, true },
	} {
		r := row
		change(&r)
		if p.text.still(r) != nil {
			t.Errorf("%s replaced: the text made before still stands for the row", name)
		}
	}
	var none *encoded
	if none.still(row) != nil {
		t.Error("no text made ahead, yet one stands for the row")
	}

	// Once stored, the alert keeps the hashes of what it holds: the
	// prepared ones for its own annotations and links, fresh ones for
	// those that replaced them.
	for _, changed := range []bool{false, true} {
		a := &alertState{row: row}
		if changed {
			a.row.Annotations, a.row.Links = map[string]string{"description": "96% used"}, []alert.Link{{Href: "http://prom/other"}}
		}
		want := [2]uint64{annotationsSum(pg.annSeed, a.row.Annotations), linksSum(pg.annSeed, a.row.Links)}
		pg.unload(a, p.text)
		if got := [2]uint64{a.annSum, a.linkSum}; got != want || !a.row.AnnotationsUnloaded || !a.row.LinksUnloaded {
			t.Errorf("replaced %v: unloaded with hashes %v, want %v", changed, got, want)
		}
	}
}
