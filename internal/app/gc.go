package app

import (
	"os"
	"runtime/debug"
)

// defaultGOGC is how far, in percent of the live heap, `vigil serve` lets the
// heap grow before the collector runs, unless the GOGC environment variable
// says otherwise (GOGC=100 is Go's own default; GOMEMLIMIT works as in any
// Go program). Most of what Vigil holds live is open alerts, kept for hours,
// while what it allocates to take a request is gone within milliseconds, so
// the room Go leaves by default holds little but short-lived garbage: a
// million open alerts took 2.0 GiB at 100 and 1.7–1.9 GiB at 50 (since then
// 1.6 GiB), for about 12% more CPU per alert taken (BENCHMARKS.md). Prometheus, which holds its
// series the same way, lowered its default to 75 in 2.53 for the same reason.
const defaultGOGC = 50

// tuneGC sets defaultGOGC when the environment sets no GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGOGC)
	}
}
