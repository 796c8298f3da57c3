package diskcheck

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/vigil-sre/vigil/internal/check"
)

func TestDiskMatchesStatfs(t *testing.T) {
	dir := t.TempDir()
	p, _ := (&Spec{Path: dir}).NewProber(check.Env{})
	got, err := p.Probe(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	v := got.(Vars)
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	if v.TotalBytes != int64(st.Blocks)*int64(st.Frsize) || v.TotalBytes <= 0 {
		t.Fatalf("total %d, statfs says %d", v.TotalBytes, int64(st.Blocks)*int64(st.Frsize))
	}
	if sum := v.FreePercent + v.UsedPercent; sum < 99.999 || sum > 100.001 {
		t.Fatalf("free %v + used %v", v.FreePercent, v.UsedPercent)
	}
}

func TestDiskMissingPath(t *testing.T) {
	p, _ := (&Spec{Path: "/no/such/dir"}).NewProber(check.Env{})
	_, err := p.Probe(context.Background())
	if err == nil || !strings.Contains(err.Error(), "statfs /no/such/dir: no such file or directory") {
		t.Fatalf("err %v", err)
	}
}

func TestDiskRelativePath(t *testing.T) {
	dir := t.TempDir()
	p, _ := (&Spec{Path: "."}).NewProber(check.Env{Dir: dir})
	if p.(prober).path != dir {
		t.Fatalf("path %q, want %q", p.(prober).path, dir)
	}
}
