// Package cleanup is the clean-up step of a runbook: it deletes or gzips old
// files in one directory, oldest first, and can stop as soon as the file
// system has enough free space again.
//
// It acts only on regular files directly in the directory. The directory is
// resolved once and every file is reached through it, so neither a symlink
// among the files nor a rename of a parent directory can lead it elsewhere.
package cleanup

import (
	"math"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

// Spec is one clean-up, already rendered.
type Spec struct {
	Dir             string        // directory; absolute and clean
	Glob            string        // file names to act on (path.Match syntax); default "*"
	OlderThan       time.Duration // only files last modified before now-OlderThan
	Compress        bool          // gzip each file to NAME.gz instead of deleting it; names ending in .gz are left alone
	KeepFreePercent float64       // 0: act on every matching file; else stop once the file system has this much free
}

// Action is one file deleted or compressed.
type Action struct {
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mod_time"`
	Op      string    `json:"op"` // "delete" or "compress"
}

// Skip is a matching file left alone, and why.
type Skip struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// Report says what a clean-up did, or for Plan what it would do.
type Report struct {
	Actions    []Action `json:"actions"` // in the order done
	Skipped    []Skip   `json:"skipped,omitempty"`
	Freed      int64    `json:"freed_bytes"` // Plan: estimated
	FreeBefore float64  `json:"free_percent_before"`
	FreeAfter  float64  `json:"free_percent_after"` // Plan: estimated
	// StoppedEarly is set when KeepFreePercent was reached while matching
	// files were still left.
	StoppedEarly bool `json:"stopped_early"`
}

// Ops of an Action.
const (
	OpDelete   = "delete"
	OpCompress = "compress"
)

// FreeFunc reports the free space of the file system holding dir, as a
// percentage, and the size it is a percentage of (used plus available bytes,
// as df counts them). Plan needs the size to turn freed bytes into percent;
// Apply reads the percentage again after each file instead.
type FreeFunc func(dir string) (freePercent float64, totalBytes int64, err error)

// Validate reports every problem with s at once, each naming its field.
func Validate(s Spec) error {
	var problems []string
	add := func(p string) { problems = append(problems, p) }

	switch {
	case s.Dir == "":
		add("path: required")
	case !filepath.IsAbs(s.Dir):
		add("path: must be absolute")
	case slices.Contains(strings.Split(s.Dir, "/"), ".."):
		add("path: must not contain ..")
	case filepath.Clean(s.Dir) == "/":
		add("path: must not be /")
	case filepath.Clean(s.Dir) != strings.TrimSuffix(s.Dir, "/"):
		add("path: must be clean (" + filepath.Clean(s.Dir) + ")")
	}

	switch g := s.Glob; {
	case strings.Contains(g, "/"):
		add("glob: must not contain /")
	case g == "." || g == "..":
		add("glob: must not be " + g)
	default:
		if _, err := path.Match(g, ""); err != nil {
			add("glob: malformed pattern")
		}
	}

	if s.OlderThan < 0 {
		add("older_than: must not be negative")
	}
	if math.IsNaN(s.KeepFreePercent) || s.KeepFreePercent < 0 || s.KeepFreePercent > 100 {
		add("keep_free_percent: must be between 0 and 100")
	}
	if len(problems) > 0 {
		return errs.E(errs.Invalid, "cleanup: %s", strings.Join(problems, "; "))
	}
	return nil
}

func (s Spec) glob() string {
	if s.Glob == "" {
		return "*"
	}
	return s.Glob
}
