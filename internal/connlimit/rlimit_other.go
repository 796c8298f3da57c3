//go:build !linux && !darwin

package connlimit

// NoFile is 0 (unknown) where there is no RLIMIT_NOFILE.
func NoFile() uint64 { return 0 }
