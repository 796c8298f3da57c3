// Package diskcheck reports free and used space of the filesystem holding a path.
package diskcheck

import (
	"context"
	"fmt"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/vigil-sre/vigil/internal/check"
)

// Spec is written under `disk:`.
type Spec struct {
	Path string `yaml:"path" jsonschema:"required,description=a file or directory on the filesystem to watch"`
}

// Vars describe the filesystem as an unprivileged user sees it (like df).
type Vars struct {
	FreeBytes         int64   `expr:"free_bytes" json:"free_bytes"`
	UsedBytes         int64   `expr:"used_bytes" json:"used_bytes"`
	TotalBytes        int64   `expr:"total_bytes" json:"total_bytes"`
	FreePercent       float64 `expr:"free_percent" json:"free_percent"`
	UsedPercent       float64 `expr:"used_percent" json:"used_percent"`
	InodesFreePercent float64 `expr:"inodes_free_percent" json:"inodes_free_percent"`
}

func (s *Spec) Kind() string            { return "disk" }
func (s *Spec) Vars() any               { return Vars{} }
func (s *Spec) DefaultExpect() []string { return nil }

func (s *Spec) Validate() []check.Problem {
	if s.Path == "" {
		return []check.Problem{{Field: "path", Message: "is required"}}
	}
	return nil
}

func (s *Spec) NewProber(env check.Env) (check.Prober, error) {
	path := s.Path
	if !filepath.IsAbs(path) && env.Dir != "" {
		path = filepath.Join(env.Dir, path)
	}
	return prober{path: path}, nil
}

type prober struct{ path string }

func (p prober) Probe(ctx context.Context) (any, error) {
	// statfs on a dead network mount can block forever; the caller's deadline
	// still ends the probe, and the stuck call finishes on its own.
	type answer struct {
		st  unix.Statfs_t
		err error
	}
	ch := make(chan answer, 1)
	go func() {
		var a answer
		a.err = unix.Statfs(p.path, &a.st)
		ch <- a
	}()
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("statfs %s: %w", p.path, ctx.Err())
	case a := <-ch:
		if a.err != nil {
			return nil, fmt.Errorf("statfs %s: %w", p.path, a.err)
		}
		return varsOf(&a.st), nil
	}
}

func varsOf(st *unix.Statfs_t) Vars {
	// Block counts are in units of the fragment size, as df reads them.
	bs := int64(st.Frsize)
	if bs == 0 {
		bs = int64(st.Bsize)
	}
	total := int64(st.Blocks) * bs
	avail := int64(st.Bavail) * bs
	used := (int64(st.Blocks) - int64(st.Bfree)) * bs
	v := Vars{FreeBytes: avail, UsedBytes: used, TotalBytes: total}
	// df's Use% is used/(used+avail): blocks reserved for root count as neither.
	if used+avail > 0 {
		v.UsedPercent = 100 * float64(used) / float64(used+avail)
		v.FreePercent = 100 - v.UsedPercent
	}
	if st.Files > 0 {
		v.InodesFreePercent = 100 * float64(st.Ffree) / float64(st.Files)
	}
	return v
}
