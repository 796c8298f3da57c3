package route

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/prometheus/alertmanager/alert"
	amcommon "github.com/prometheus/alertmanager/config/common"
	"github.com/prometheus/alertmanager/eventrecorder"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/alertmanager/provider"
	"github.com/prometheus/common/model"
	"github.com/prometheus/common/promslog"

	"github.com/vigil-sre/vigil/internal/config"
)

type slurp struct{ alerts []*alert.Alert }

func (f *slurp) GetPending() provider.AlertIterator          { return nil }
func (f *slurp) Get(model.Fingerprint) (*alert.Alert, error) { return nil, nil }
func (f *slurp) Put(context.Context, ...*alert.Alert) error  { return nil }
func (f *slurp) Subscribe(string) provider.AlertIterator {
	return provider.NewAlertIterator(make(chan *provider.Alert), make(chan struct{}), nil)
}
func (f *slurp) SlurpAndSubscribe(string) ([]*alert.Alert, provider.AlertIterator) {
	return f.alerts, provider.NewAlertIterator(make(chan *provider.Alert), make(chan struct{}), nil)
}

// TestInhibitDifferentialAgainstAlertmanager compares Inhibited and the
// index with Alertmanager's inhibit.Inhibitor.Mutes on random rules and alerts.
func TestInhibitDifferentialAgainstAlertmanager(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	randLabels := func() map[string]string {
		m := map[string]string{}
		for _, n := range names {
			if v := vals[rng.IntN(3)]; v != "" {
				m[n] = v
			}
		}
		return m
	}
	now := time.Now()
	inhibited, total := 0, 0
	for round := range 1500 {
		var ours []config.InhibitRule
		var theirs []amcommon.InhibitRule
		for range rng.IntN(3) + 1 {
			var sm, tm []string
			var asm, atm amcommon.Matchers
			for range rng.IntN(2) + 1 {
				s := randMatcher(rng)
				sm = append(sm, s)
				m, _ := labels.ParseMatcher(s)
				asm = append(asm, m)
			}
			for range rng.IntN(2) + 1 {
				s := randMatcher(rng)
				tm = append(tm, s)
				m, _ := labels.ParseMatcher(s)
				atm = append(atm, m)
			}
			var eq []string
			for _, n := range names {
				if rng.IntN(2) == 0 {
					eq = append(eq, n)
				}
			}
			ours = append(ours, config.InhibitRule{SourceMatchers: sm, TargetMatchers: tm, Equal: eq})
			theirs = append(theirs, amcommon.InhibitRule{SourceMatchers: asm, TargetMatchers: atm, Equal: eq})
		}
		var firing []map[string]string
		var amAlerts []*alert.Alert
		for range rng.IntN(6) {
			l := randLabels()
			firing = append(firing, l)
			ls := model.LabelSet{}
			for k, v := range l {
				ls[model.LabelName(k)] = model.LabelValue(v)
			}
			amAlerts = append(amAlerts, &alert.Alert{Alert: model.Alert{Labels: ls, StartsAt: now.Add(-time.Minute), EndsAt: now.Add(time.Hour)}})
		}
		in, err := NewInhibitor(&config.Config{Inhibit: ours})
		if err != nil {
			t.Fatal(err)
		}
		idx := in.Index(packAll(firing))
		ih := inhibit.NewInhibitor(&slurp{amAlerts}, theirs, promslog.NewNopLogger(), eventrecorder.NopRecorder())
		go ih.Run()
		ih.WaitForLoading()
		for range 20 {
			target := randLabels()
			ls := model.LabelSet{}
			for k, v := range target {
				ls[model.LabelName(k)] = model.LabelValue(v)
			}
			want := ih.Mutes(context.Background(), ls)
			if got := in.Inhibited(pack(target), packAll(firing)); got != want {
				t.Fatalf("round %d: scan %v, AM %v\nrules %+v\nfiring %v\ntarget %v", round, got, want, ours, firing, target)
			}
			if got := idx.Inhibited(pack(target)); got != want {
				t.Fatalf("round %d: index %v, AM %v\nrules %+v\nfiring %v\ntarget %v", round, got, want, ours, firing, target)
			}
			total++
			if want {
				inhibited++
			}
		}
		ih.Stop()
	}
	t.Logf("compared %d targets, %d inhibited", total, inhibited)
}
