package app

import (
	"strconv"
	"syscall"
)

// lowerNoFile sets this process's soft open-file limit to n.
func lowerNoFile(n string) error {
	v, err := strconv.ParseUint(n, 10, 64)
	if err != nil {
		return err
	}
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return err
	}
	r.Cur = v
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
}
