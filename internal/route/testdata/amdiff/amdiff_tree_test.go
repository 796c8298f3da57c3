package route

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"
	amcommon "github.com/prometheus/alertmanager/config/common"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/duration"
)

var names = []string{"a", "b", "c"}
var vals = []string{"1", "2", ""}

func randMatcher(rng *rand.Rand) string {
	n := names[rng.IntN(len(names))]
	switch rng.IntN(4) {
	case 0:
		return fmt.Sprintf(`%s="%s"`, n, vals[rng.IntN(len(vals))])
	case 1:
		return fmt.Sprintf(`%s!="%s"`, n, vals[rng.IntN(len(vals))])
	case 2:
		return fmt.Sprintf(`%s=~"%s"`, n, []string{"1|2", "1", ".*", ".+", "2|"}[rng.IntN(5)])
	}
	return fmt.Sprintf(`%s!~"%s"`, n, []string{"1|2", "1", ".+"}[rng.IntN(3)])
}

func genRoutes(rng *rand.Rand, depth int, id string) ([]config.Route, []*amconfig.Route) {
	n := rng.IntN(4)
	if depth == 0 {
		n = 0
	}
	var ours []config.Route
	var theirs []*amconfig.Route
	for i := range n {
		cid := fmt.Sprintf("%d", i)
		if id != "" {
			cid = id + "." + cid
		}
		var ms []string
		var amms amcommon.Matchers
		for range rng.IntN(3) {
			s := randMatcher(rng)
			ms = append(ms, s)
			m, _ := labels.ParseMatcher(s)
			amms = append(amms, m)
		}
		eq := map[string]string{}
		if rng.IntN(3) == 0 {
			eq[names[rng.IntN(3)]] = vals[rng.IntN(2)]
		}
		cont := rng.IntN(3) == 0
		o := config.Route{Matchers: ms, Match: eq, Continue: cont}
		a := &amconfig.Route{Receiver: cid, Matchers: amms, Match: eq, Continue: cont}
		switch rng.IntN(4) {
		case 0:
			o.GroupBy = []string{"..."}
			a.GroupByAll = true
		case 1:
			o.GroupBy = []string{"b", "a"}
			a.GroupBy = []model.LabelName{"b", "a"}
		case 2:
			o.GroupBy = []string{}
			a.GroupBy = []model.LabelName{}
		}
		if rng.IntN(3) == 0 {
			d := time.Duration(rng.IntN(100)+1) * time.Second
			o.GroupWait = duration.Duration(d)
			md := model.Duration(d)
			a.GroupWait = &md
		}
		o.Routes, a.Routes = genRoutes(rng, depth-1, cid)
		ours = append(ours, o)
		theirs = append(theirs, a)
	}
	return ours, theirs
}

// TestTreeDifferentialAgainstAlertmanager builds random trees both here and
// with Alertmanager's dispatch.NewRoute and compares what Match returns.
func TestTreeDifferentialAgainstAlertmanager(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 9))
	compared := 0
	for tree := range 3000 {
		ours, theirs := genRoutes(rng, 3, "")
		ot, err := NewTree(&config.Config{Routes: ours})
		if err != nil {
			t.Fatal(err)
		}
		at := dispatch.NewRoute(&amconfig.Route{Receiver: "root", Routes: theirs}, nil)
		for range 30 {
			lbls := map[string]string{}
			ls := model.LabelSet{}
			for _, n := range names {
				if v := vals[rng.IntN(3)]; v != "" {
					lbls[n] = v
					ls[model.LabelName(n)] = model.LabelValue(v)
				}
			}
			var got, want []string
			for _, r := range ot.Match(lbls) {
				got = append(got, fmt.Sprintf("%s gw=%s by=%v all=%v", r.ID(), r.GroupWait, r.GroupBy, r.GroupByAll))
			}
			for _, r := range at.Match(ls) {
				var by []string
				for n := range r.RouteOpts.GroupBy {
					by = append(by, string(n))
				}
				slices.Sort(by)
				if r.RouteOpts.GroupByAll {
					by = nil // AM keeps the parent's stale set beside GroupByAll; it is unused
				}
				want = append(want, fmt.Sprintf("%s gw=%s by=%v all=%v", r.RouteOpts.Receiver, r.RouteOpts.GroupWait, by, r.RouteOpts.GroupByAll))
			}
			if strings.Join(got, " | ") != strings.Join(want, " | ") {
				t.Fatalf("tree %d labels %v\n got %v\nwant %v", tree, lbls, got, want)
			}
			compared++
		}
	}
	t.Logf("compared %d matches", compared)
}
