package web

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

func TestTimelineKeysAndLinks(t *testing.T) {
	for _, c := range []struct {
		e         store.TimelineEntry
		key, href string
	}{
		{store.TimelineEntry{ID: 12, Source: "chat:log:x"}, "e-12", ""},
		{store.TimelineEntry{ID: 13, Source: "run/r_ab"}, "e-13", "/runs/r_ab"},
		{store.TimelineEntry{Source: "step/r_ab/3"}, "s-step-r_ab-3", "/runs/r_ab"},
		{store.TimelineEntry{Source: "run-end/r_ab"}, "s-run-end-r_ab", "/runs/r_ab"},
		{store.TimelineEntry{Source: "deploy/7"}, "s-deploy-7", "/deploys#deploy-7"},
		{store.TimelineEntry{Source: `alertlog/1"><b>`}, "s-alertlog-1---b-", ""},
		{store.TimelineEntry{Source: "run/a b?c"}, "s-run-a-b-c", "/runs/a%20b%3Fc"},
	} {
		if got := timelineKey(c.e); got != c.key {
			t.Errorf("timelineKey(%+v) = %q, want %q", c.e, got, c.key)
		}
		if got := sourceHref(c.e.Source); got != c.href {
			t.Errorf("sourceHref(%q) = %q, want %q", c.e.Source, got, c.href)
		}
	}
}

// TestDeployViews: an incident follows a deploy when it is on the deploy's
// service and its impact began at or after it, within a day.
func TestDeployViews(t *testing.T) {
	t0 := time.Date(2021, 9, 3, 22, 40, 0, 0, time.UTC)
	deploys := []store.DeployRow{{ID: 2, Service: "shop", At: t0.Add(2 * time.Hour)}, {ID: 1, Service: "shop", At: t0}, {ID: 3, Service: "dns", At: t0}}
	ins := []store.IncidentRow{
		{ID: 10, Services: []string{"shop"}, StartedAt: t0.Add(10*time.Hour + 35*time.Minute)}, // the seed outage
		{ID: 11, Services: []string{"dns", "shop"}, StartedAt: t0.Add(-time.Minute)},           // before every deploy
		{ID: 12, Services: []string{"shop"}, StartedAt: t0.Add(25 * time.Hour)},                // a day after the first
		{ID: 13, Services: []string{"dns"}, StartedAt: t0},                                     // as the dns deploy went out
	}
	got := map[int64][]int64{}
	for _, v := range deployViews(deploys, ins) {
		for _, in := range v.Followed {
			got[v.ID] = append(got[v.ID], in.ID)
		}
	}
	want := map[int64][]int64{1: {10}, 2: {10, 12}, 3: {13}}
	for id, w := range want {
		if !slices.Equal(got[id], w) {
			t.Errorf("deploy %d followed by %v, want %v", id, got[id], w)
		}
	}
	if !followingSince(deploys).Equal(t0) || !followingSince(nil).IsZero() {
		t.Error("followingSince is not the oldest deploy")
	}
}

func TestNextStatus(t *testing.T) {
	for from, want := range map[string]string{"investigating": "identified", "monitoring": "resolved", "resolved": "investigating", "": "investigating"} {
		if got := nextStatus(from); got != want {
			t.Errorf("nextStatus(%q) = %q, want %q", from, got, want)
		}
	}
}

// TestIncidentTemplates: the incident pages' templates parse, and a
// timeline row renders its untrusted text as text.
func TestIncidentTemplates(t *testing.T) {
	pages, err := parsePages()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	row := timelineRow{Key: "e-1", Kind: "note", Actor: `<i>eve</i>`, Text: `<script>x</script>`, Href: "javascript:alert(1)"}
	if err := pages.ExecuteTemplate(&b, "timeline-row", row); err != nil {
		t.Fatal(err)
	}
	if got := b.String(); strings.Contains(got, "<script>") || strings.Contains(got, "<i>") || strings.Contains(got, "javascript:") {
		t.Errorf("untrusted text became markup: %s", got)
	}
}
