package cleanup

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// tempPrefix starts the names of partly written .gz files; they are never
// candidates themselves.
const tempPrefix = ".vigil-cleanup-"

// dir is the resolved directory of a clean-up, opened so that every name is
// looked up inside it and symlinks cannot lead out.
type dir struct {
	path string
	root *os.Root
}

func openDir(s Spec) (*dir, error) {
	if err := Validate(s); err != nil {
		return nil, err
	}
	resolved, err := filepath.EvalSymlinks(filepath.Clean(s.Dir))
	if err != nil {
		return nil, fmt.Errorf("cleanup %s: %w", s.Dir, unwrapPath(err))
	}
	root, err := os.OpenRoot(resolved)
	if err != nil {
		return nil, fmt.Errorf("cleanup %s: %w", resolved, unwrapPath(err))
	}
	return &dir{path: resolved, root: root}, nil
}

func (d *dir) close() { d.root.Close() }

func (d *dir) join(name string) string { return filepath.Join(d.path, name) }

// candidate is a file that matched when the directory was read.
type candidate struct {
	name string
	info fs.FileInfo
}

// scan lists the regular files s acts on, oldest first, and the matching
// entries it will not touch. Directories are passed over without a word.
func (d *dir) scan(s Spec, now time.Time) ([]candidate, []Skip, error) {
	f, err := d.root.Open(".")
	if err != nil {
		return nil, nil, fmt.Errorf("cleanup %s: %w", d.path, unwrapPath(err))
	}
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, nil, fmt.Errorf("cleanup %s: %w", d.path, unwrapPath(err))
	}

	cutoff := now.Add(-s.OlderThan)
	var cands []candidate
	var skipped []Skip
	for _, name := range names {
		if ok, _ := path.Match(s.glob(), name); !ok || strings.HasPrefix(name, tempPrefix) {
			continue
		}
		if s.Compress && strings.HasSuffix(name, ".gz") {
			continue
		}
		info, err := d.root.Lstat(name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("cleanup %s: %w", d.join(name), unwrapPath(err))
		}
		if info.IsDir() || !info.ModTime().Before(cutoff) {
			continue
		}
		if reason := notRegular(info); reason != "" {
			skipped = append(skipped, Skip{Path: d.join(name), Reason: reason})
			continue
		}
		if s.Compress {
			if reason, err := d.gzExists(name); err != nil {
				return nil, nil, err
			} else if reason != "" {
				skipped = append(skipped, Skip{Path: d.join(name), Reason: reason})
				continue
			}
		}
		cands = append(cands, candidate{name: name, info: info})
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(a.info.ModTime().Compare(b.info.ModTime()), strings.Compare(a.name, b.name))
	})
	return cands, skipped, nil
}

func notRegular(info fs.FileInfo) string {
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		return "symlink, not followed"
	case !info.Mode().IsRegular():
		return "not a regular file"
	}
	return ""
}

// gzExists says why name cannot be compressed when NAME.gz is already there.
func (d *dir) gzExists(name string) (string, error) {
	_, err := d.root.Lstat(name + ".gz")
	switch {
	case err == nil:
		return name + ".gz already exists", nil
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	}
	return "", fmt.Errorf("cleanup %s: %w", d.join(name+".gz"), unwrapPath(err))
}

// unwrapPath drops the path of an *fs.PathError, which messages here
// already give in full.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
