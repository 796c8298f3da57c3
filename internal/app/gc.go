package app

import (
	"os"
	"runtime/debug"
)

// defaultGOGC is how far, in percent of the live heap, `vigil serve` lets the
// heap grow before the collector runs, unless the GOGC environment variable
// says otherwise (GOGC=100 is Go's own default; GOMEMLIMIT works as in any
// Go program). Most of what Vigil holds live is open alerts, kept for hours,
// while what it allocates to take a request is gone within milliseconds: at
// Go's 100 a million open alerts needed twice their live heap in RSS (about
// 2.6 GiB) for garbage that lives that briefly. At 50 the collector runs
// twice as often and costs about as much per alert taken (measured in
// BENCHMARKS.md). Prometheus, which holds its series the same way, runs at
// 75 (since 2.53) for the same reason.
const defaultGOGC = 50

// tuneGC sets defaultGOGC when the environment sets no GOGC.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(defaultGOGC)
	}
}
