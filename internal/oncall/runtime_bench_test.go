package oncall

import (
	"fmt"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/config"
)

// BenchmarkRuntimeOverrides measures what the calendar page and the pager
// ask of a schedule (a four-week timeline, and who is on call now) with
// none, 50 and 500 run-time overrides, the most a schedule may have to
// come.
func BenchmarkRuntimeOverrides(b *testing.B) {
	base := mustDirectory(b, &config.Config{People: people(everyone...), Schedules: []config.Schedule{primary()}})
	from := local(b, hcm, "2026-11-23T00:00:00")
	for _, n := range []int{0, 50, 500} {
		var ovs []Override
		for i := range n {
			// One a day, some standing in for one person, spread over the
			// weeks ahead as planned cover is.
			start := from.Add(time.Duration(i) * 5 * time.Hour)
			o := Override{ID: int64(i + 1), Schedule: "sre-primary", Person: "glen", From: start, Until: start.Add(3 * time.Hour)}
			if i%2 == 0 {
				o.Replacing = "thach"
			}
			ovs = append(ovs, o)
		}
		d := base.WithOverrides(ovs)
		b.Run(fmt.Sprintf("shifts-4w/overrides=%d", n), func(b *testing.B) {
			for b.Loop() {
				d.Shifts("sre-primary", from, from.Add(28*24*time.Hour))
			}
		})
		b.Run(fmt.Sprintf("oncall-now/overrides=%d", n), func(b *testing.B) {
			at := from.Add(40 * time.Hour)
			for b.Loop() {
				d.OnCall("sre-primary", at)
			}
		})
		b.Run(fmt.Sprintf("with-overrides/overrides=%d", n), func(b *testing.B) {
			for b.Loop() {
				base.WithOverrides(ovs)
			}
		})
	}
}
