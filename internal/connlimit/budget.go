package connlimit

// Reserve is how many file descriptors Cap leaves to everything but HTTP
// clients (probes, deliveries, the store, logs) for a process allowed
// nofile: a quarter, and at least 64.
func Reserve(nofile uint64) uint64 { return max(64, nofile/4) }

// DefaultMax is the cap when config leaves it to Vigil: half the
// descriptors, at most 1024. A team's API clients, browsers, Prometheus and
// alert senders rarely hold more than a few dozen at once.
func DefaultMax(nofile uint64) int {
	if nofile == 0 {
		return 1024
	}
	return int(min(1024, nofile/2))
}

// Cap is the connection cap for a configured value (0: DefaultMax) in a
// process allowed nofile descriptors (0: unknown). It is lowered to leave
// Reserve(nofile), and lowered reports that it was.
func Cap(configured int, nofile uint64) (n int, lowered bool) {
	n = configured
	if n <= 0 {
		n = DefaultMax(nofile)
	}
	if nofile == 0 {
		return n, false
	}
	room := 4 // a process allowed almost nothing still answers someone
	if nofile > Reserve(nofile)+4 {
		room = int(nofile - Reserve(nofile))
	}
	if n > room {
		return room, true
	}
	return n, false
}
