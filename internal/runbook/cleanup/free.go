package cleanup

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// statFree is the FreeFunc used when none is given. It counts space as the
// disk check does, so a keep_free_percent matches the free_percent alerted on.
func statFree(dir string) (float64, int64, error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	bs := int64(st.Frsize)
	if bs == 0 {
		bs = int64(st.Bsize)
	}
	avail := int64(st.Bavail) * bs
	used := (int64(st.Blocks) - int64(st.Bfree)) * bs
	if used+avail <= 0 {
		return 0, 0, fmt.Errorf("statfs %s: file system reports no size", dir)
	}
	return 100 * float64(avail) / float64(used+avail), used + avail, nil
}
