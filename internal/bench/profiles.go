package bench

// Profiles are what vigil serve records of its run for a benchmark, each
// into a file; an empty path records nothing. In a side-by-side comparison
// each round overwrites the last round's files.
type Profiles struct {
	CPU   string // --cpu-profile: where the CPU goes
	Heap  string // --heap-profile: the live heap when stopped, with the alerts open
	Trace string // --trace: an execution trace, for what goroutines wait for
}

// serveArgs are the flags of vigil serve that record p.
func (p Profiles) serveArgs() []string {
	var args []string
	for _, f := range []struct{ flag, path string }{
		{"--cpu-profile", p.CPU}, {"--heap-profile", p.Heap}, {"--trace", p.Trace},
	} {
		if f.path != "" {
			args = append(args, f.flag, f.path)
		}
	}
	return args
}
