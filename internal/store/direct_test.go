package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The statements a SQLite store prepares at the driver write whole batches
// of every size like the others, and Close finalizes them: the database's
// files are closed after it, not held by a connection kept alive for them.
func TestDirectWritesCloseWithTheStore(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(context.Background(), "sqlite://"+filepath.Join(dir, "vigil.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	// 300 rows run as three variants (256 + 32 + 8 + 4); occurrences are
	// ints, which database/sql would convert.
	var b AlertBatch
	for i := range 300 {
		a := alertRow(int64(i+1), fmt.Sprintf("k%d", i), "firing", 0)
		a.Occurrences = i + 1
		b.Alerts = append(b.Alerts, a)
	}
	writeAlerts(t, s, b)
	got, err := s.Alert(context.Background(), 300)
	if err != nil || got.Occurrences != 300 || got.Labels["host"] != b.Alerts[299].Labels["host"] {
		t.Fatalf("Alert(300) = %+v, %v", got, err)
	}
	if open := openFilesUnder(t, dir); len(open) == 0 {
		t.Fatal("no open file under the store's directory before Close; the check below proves nothing")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if open := openFilesUnder(t, dir); len(open) > 0 {
		t.Fatalf("after Close, still open: %v", open)
	}
}

// openFilesUnder lists the files under dir this process holds open.
func openFilesUnder(t *testing.T, dir string) []string {
	t.Helper()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd here")
	}
	var open []string
	for _, fd := range fds {
		target, err := os.Readlink(filepath.Join("/proc/self/fd", fd.Name()))
		if err == nil && strings.HasPrefix(target, dir) {
			open = append(open, target)
		}
	}
	return open
}
