package cleanup_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/vigil-sre/vigil/internal/runbook/cleanup"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func fixedFree(string) (float64, int64, error) { return 50, 1000, nil }

// file is a file a test puts in place.
type file struct {
	name string
	age  time.Duration
	data string
}

// tempDir makes a directory holding files, each last modified age before
// now, and returns its resolved path.
func tempDir(t *testing.T, files ...file) string {
	t.Helper()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		writeAged(t, filepath.Join(dir, f.name), f.data, f.age)
	}
	return dir
}

func writeAged(t *testing.T, path, data string, age time.Duration) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o640); err != nil {
		t.Fatal(err)
	}
	mtime := now.Add(-age)
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// names lists what is in dir, sorted.
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func actionNames(r cleanup.Report) []string {
	var out []string
	for _, a := range r.Actions {
		out = append(out, filepath.Base(a.Path)+":"+a.Op)
	}
	return out
}

func TestApplyDeletesOldMatchingFilesOldestFirst(t *testing.T) {
	dir := tempDir(t,
		file{"b.log", 10 * day, "bbbb"},
		file{"a.log", 10 * day, "aa"}, // same age as b.log: the name decides
		file{"c.log", 20 * day, "c"},
		file{"d.log", 3 * day, "dddddd"},
		file{"new.log", time.Hour, "new"},
		file{"notes.txt", 30 * day, "keep"},
	)
	rep, err := cleanup.Apply(t.Context(), cleanup.Spec{Dir: dir, Glob: "*.log", OlderThan: 2 * day}, now, fixedFree)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := actionNames(rep), []string{"c.log:delete", "a.log:delete", "b.log:delete", "d.log:delete"}; !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
	if rep.Freed != 13 {
		t.Errorf("freed %d, want 13", rep.Freed)
	}
	first := rep.Actions[0]
	if first.Path != filepath.Join(dir, "c.log") || first.Size != 1 || !first.ModTime.Equal(now.Add(-20*day)) {
		t.Errorf("first action %+v", first)
	}
	if got, want := names(t, dir), []string{"new.log", "notes.txt"}; !slices.Equal(got, want) {
		t.Errorf("left %v, want %v", got, want)
	}
	if rep.StoppedEarly {
		t.Error("stopped early without a target")
	}
}

func TestApplyLeavesSymlinksAndDirectories(t *testing.T) {
	outside := tempDir(t, file{"secret.log", 30 * day, "precious"})
	target := filepath.Join(outside, "secret.log")
	for _, compress := range []bool{false, true} {
		dir := tempDir(t, file{"old.log", 30 * day, "x"})
		for link, to := range map[string]string{"link.log": target, "dangling.log": target + ".gone"} {
			symlinkAged(t, to, filepath.Join(dir, link), 30*day)
		}
		sub := filepath.Join(dir, "sub.log")
		if err := os.Mkdir(sub, 0o755); err != nil {
			t.Fatal(err)
		}
		writeAged(t, filepath.Join(sub, "inner.log"), "inner", 30*day)
		old := now.Add(-30 * day)
		if err := os.Chtimes(sub, old, old); err != nil {
			t.Fatal(err)
		}

		rep, err := cleanup.Apply(t.Context(), cleanup.Spec{Dir: dir, Glob: "*.log", Compress: compress}, now, fixedFree)
		if err != nil {
			t.Fatal(err)
		}
		wantOp, wantLeft := "delete", []string{"dangling.log", "link.log", "sub.log"}
		if compress {
			wantOp, wantLeft = "compress", []string{"dangling.log", "link.log", "old.log.gz", "sub.log"}
		}
		if got, want := actionNames(rep), []string{"old.log:" + wantOp}; !slices.Equal(got, want) {
			t.Errorf("actions %v, want %v", got, want)
		}
		wantSkipped := []cleanup.Skip{
			{Path: filepath.Join(dir, "dangling.log"), Reason: "symlink, not followed"},
			{Path: filepath.Join(dir, "link.log"), Reason: "symlink, not followed"},
		}
		slices.SortFunc(rep.Skipped, func(a, b cleanup.Skip) int { return strings.Compare(a.Path, b.Path) })
		if !slices.Equal(rep.Skipped, wantSkipped) {
			t.Errorf("skipped %+v, want %+v", rep.Skipped, wantSkipped)
		}
		if got := names(t, dir); !slices.Equal(got, wantLeft) {
			t.Errorf("left %v, want %v", got, wantLeft)
		}
		if _, err := os.Stat(filepath.Join(sub, "inner.log")); err != nil {
			t.Errorf("file in a subdirectory: %v", err)
		}
	}
	if data, err := os.ReadFile(target); err != nil || string(data) != "precious" {
		t.Errorf("symlink target: %q, %v", data, err)
	}
	if got, want := names(t, outside), []string{"secret.log"}; !slices.Equal(got, want) {
		t.Errorf("outside dir holds %v, want %v", got, want)
	}
}

// symlinkAged makes a symlink that is itself age old, so only its being a
// symlink keeps it from the clean-up.
func symlinkAged(t *testing.T, to, link string, age time.Duration) {
	t.Helper()
	if err := os.Symlink(to, link); err != nil {
		t.Fatal(err)
	}
	tv := unix.NsecToTimeval(now.Add(-age).UnixNano())
	if err := unix.Lutimes(link, []unix.Timeval{tv, tv}); err != nil {
		t.Fatal(err)
	}
}

// A Dir that is itself a symlink is resolved once; files are reported
// under the real directory.
func TestApplyResolvesDir(t *testing.T) {
	real := tempDir(t, file{"old.log", 30 * day, "x"})
	link := filepath.Join(t.TempDir(), "logs")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	rep, err := cleanup.Apply(t.Context(), cleanup.Spec{Dir: link}, now, fixedFree)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Actions) != 1 || rep.Actions[0].Path != filepath.Join(real, "old.log") {
		t.Errorf("actions %+v", rep.Actions)
	}
}

func TestApplyCompress(t *testing.T) {
	content := strings.Repeat("GET /health 200\n", 1000)
	dir := tempDir(t,
		file{"app.log.1", 5 * day, content},
		file{"app.log.2.gz", 9 * day, "already compressed"},
		file{"app.log.3", 8 * day, "old"},
		file{"app.log.3.gz", 8 * day, "someone else's archive"},
	)
	rep, err := cleanup.Apply(t.Context(), cleanup.Spec{Dir: dir, Glob: "app.log.*", Compress: true}, now, fixedFree)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := actionNames(rep), []string{"app.log.1:compress"}; !slices.Equal(got, want) {
		t.Errorf("actions %v, want %v", got, want)
	}
	if want := (cleanup.Skip{Path: filepath.Join(dir, "app.log.3"), Reason: "app.log.3.gz already exists"}); !slices.Contains(rep.Skipped, want) {
		t.Errorf("skipped %+v, want %+v", rep.Skipped, want)
	}
	if got, want := names(t, dir), []string{"app.log.1.gz", "app.log.2.gz", "app.log.3", "app.log.3.gz"}; !slices.Equal(got, want) {
		t.Errorf("left %v, want %v", got, want)
	}
	for name, want := range map[string]string{"app.log.2.gz": "already compressed", "app.log.3": "old", "app.log.3.gz": "someone else's archive"} {
		if data, _ := os.ReadFile(filepath.Join(dir, name)); string(data) != want {
			t.Errorf("%s changed to %q", name, data)
		}
	}

	gzPath := filepath.Join(dir, "app.log.1.gz")
	info, err := os.Stat(gzPath)
	if err != nil {
		t.Fatal(err)
	}
	if !info.ModTime().Equal(now.Add(-5 * day)) {
		t.Errorf("gz mtime %v, want the original's", info.ModTime())
	}
	if info.Mode().Perm() != 0o640 {
		t.Errorf("gz mode %v, want the original's", info.Mode().Perm())
	}
	if rep.Freed != int64(len(content))-info.Size() {
		t.Errorf("freed %d, want %d", rep.Freed, int64(len(content))-info.Size())
	}
	raw, err := os.ReadFile(gzPath)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != content || zr.Name != "app.log.1" {
		t.Errorf("gz holds %d bytes named %q, want the original", len(got), zr.Name)
	}
}

// usedFree models a file system of 1000 bytes whose only use is the regular
// files in dir, so free space grows as they go.
func usedFree(dir string) (float64, int64, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, 0, err
	}
	var used int64
	for _, e := range entries {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() {
			used += info.Size()
		}
	}
	return 100 - float64(used)/10, 1000, nil
}

func hundred(c string) string { return strings.Repeat(c, 100) }

func TestKeepFreePercentStopsEarly(t *testing.T) {
	dir := tempDir(t,
		file{"1.log", 4 * day, hundred("1")},
		file{"2.log", 3 * day, hundred("2")},
		file{"3.log", 2 * day, hundred("3")},
		file{"4.log", 1 * day, hundred("4")},
	)
	s := cleanup.Spec{Dir: dir, KeepFreePercent: 75}

	plan, err := cleanup.Plan(s, now, usedFree)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := cleanup.Apply(t.Context(), s, now, usedFree)
	if err != nil {
		t.Fatal(err)
	}
	want := cleanup.Report{
		Actions: []cleanup.Action{
			{Path: filepath.Join(dir, "1.log"), Size: 100, ModTime: now.Add(-4 * day), Op: "delete"},
			{Path: filepath.Join(dir, "2.log"), Size: 100, ModTime: now.Add(-3 * day), Op: "delete"},
		},
		Freed: 200, FreeBefore: 60, FreeAfter: 80, StoppedEarly: true,
	}
	for name, got := range map[string]cleanup.Report{"plan": plan, "apply": rep} {
		if !equalReports(got, want) {
			t.Errorf("%s:\n%+v\nwant\n%+v", name, got, want)
		}
	}
	if got := names(t, dir); !slices.Equal(got, []string{"3.log", "4.log"}) {
		t.Errorf("left %v", got)
	}

	// Already enough free: nothing to do.
	rep, err = cleanup.Apply(t.Context(), cleanup.Spec{Dir: dir, KeepFreePercent: 50}, now, usedFree)
	if err != nil || len(rep.Actions) != 0 || !rep.StoppedEarly {
		t.Errorf("got %+v, %v; want no actions", rep, err)
	}
}

// Plan assumes compressing frees 90% of a file.
func TestPlanEstimatesCompression(t *testing.T) {
	dir := tempDir(t,
		file{"1.log", 3 * day, hundred("1")},
		file{"2.log", 2 * day, hundred("2")},
		file{"3.log", 1 * day, hundred("3")},
	)
	free := func(string) (float64, int64, error) { return 70, 1000, nil }
	rep, err := cleanup.Plan(cleanup.Spec{Dir: dir, Compress: true, KeepFreePercent: 85}, now, free)
	if err != nil {
		t.Fatal(err)
	}
	// 70% + 9% + 9% reaches 85% after two files.
	if got := actionNames(rep); !slices.Equal(got, []string{"1.log:compress", "2.log:compress"}) || rep.Freed != 180 || rep.FreeAfter != 88 || !rep.StoppedEarly {
		t.Errorf("got %v %+v", got, rep)
	}
}

func TestPlanTouchesNothing(t *testing.T) {
	files := []file{
		{"a.log", 5 * day, hundred("a")},
		{"b.log", 4 * day, hundred("b")},
		{"c.log", time.Hour, "c"},
	}
	for _, compress := range []bool{false, true} {
		dir := tempDir(t, files...)
		s := cleanup.Spec{Dir: dir, Glob: "*.log", OlderThan: day, Compress: compress}
		plan, err := cleanup.Plan(s, now, fixedFree)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			info, err := os.Stat(filepath.Join(dir, f.name))
			if err != nil || !info.ModTime().Equal(now.Add(-f.age)) {
				t.Errorf("after Plan %s: %v", f.name, err)
			}
		}
		if got := names(t, dir); len(got) != len(files) {
			t.Errorf("after Plan the directory holds %v", got)
		}
		rep, err := cleanup.Apply(t.Context(), s, now, fixedFree)
		if err != nil {
			t.Fatal(err)
		}
		if len(plan.Actions) != 2 || !slices.EqualFunc(plan.Actions, rep.Actions, equalAction) {
			t.Errorf("compress %v: Plan listed %+v, Apply did %+v", compress, plan.Actions, rep.Actions)
		}
	}
}

func TestApplyStopsWhenContextEnds(t *testing.T) {
	dir := tempDir(t, file{"a.log", 5 * day, "a"}, file{"b.log", 4 * day, "b"})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rep, err := cleanup.Apply(ctx, cleanup.Spec{Dir: dir}, now, fixedFree)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
	if len(rep.Actions) != 0 || len(names(t, dir)) != 2 {
		t.Errorf("acted after cancel: %+v", rep)
	}
}

func TestMissingDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nope")
	_, err := cleanup.Apply(t.Context(), cleanup.Spec{Dir: dir}, now, fixedFree)
	if err == nil || err.Error() != "cleanup "+dir+": no such file or directory" {
		t.Errorf("err = %v", err)
	}
}

func equalReports(a, b cleanup.Report) bool {
	return slices.EqualFunc(a.Actions, b.Actions, equalAction) && slices.Equal(a.Skipped, b.Skipped) && a.Freed == b.Freed &&
		a.FreeBefore == b.FreeBefore && a.FreeAfter == b.FreeAfter && a.StoppedEarly == b.StoppedEarly
}

func equalAction(a, b cleanup.Action) bool {
	return a.Path == b.Path && a.Size == b.Size && a.ModTime.Equal(b.ModTime) && a.Op == b.Op
}
