//go:build linux || darwin

package connlimit

import "syscall"

// NoFile is the process's open-file limit (RLIMIT_NOFILE, soft); 0 when it
// cannot be read or is unlimited.
func NoFile() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil || r.Cur == ^uint64(0) {
		return 0
	}
	return uint64(r.Cur)
}
