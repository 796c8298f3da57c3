package cleanup

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"
)

// Apply deletes or compresses the matching files, oldest first. With
// KeepFreePercent it reads the free space again after each file and stops
// once the target is reached. A nil free reads statfs.
//
// Between files it stops when ctx ends, and it stops at the first file it
// fails on; the Report then holds what was done, beside the error.
func Apply(ctx context.Context, s Spec, now time.Time, free FreeFunc) (Report, error) {
	if free == nil {
		free = statFree
	}
	d, cands, skipped, pct, _, err := survey(s, now, free)
	if err != nil {
		return Report{}, err
	}
	defer d.close()

	rep := Report{Actions: []Action{}, Skipped: skipped, FreeBefore: pct, FreeAfter: pct}
	cutoff := now.Add(-s.OlderThan)
	for i, c := range cands {
		if err := ctx.Err(); err != nil {
			return d.finish(rep, free), fmt.Errorf("cleanup %s: stopped after %d of %d files: %w", d.path, i, len(cands), err)
		}
		if s.KeepFreePercent > 0 && rep.FreeAfter >= s.KeepFreePercent {
			rep.StoppedEarly = true
			break
		}
		a, freed, skip, err := d.act(ctx, s, c, cutoff)
		if err != nil {
			return d.finish(rep, free), err
		}
		if skip != nil {
			rep.Skipped = append(rep.Skipped, *skip)
			continue
		}
		if a == nil {
			continue
		}
		rep.Actions = append(rep.Actions, *a)
		rep.Freed += freed
		if s.KeepFreePercent > 0 {
			if rep.FreeAfter, _, err = free(d.path); err != nil {
				return rep, err
			}
		}
	}
	if s.KeepFreePercent > 0 || len(rep.Actions) == 0 {
		return rep, nil
	}
	return d.finish(rep, free), nil
}

// finish reads the free space once more for the report; a failure to read
// it keeps the last figure rather than hiding the work done.
func (d *dir) finish(rep Report, free FreeFunc) Report {
	if pct, _, err := free(d.path); err == nil {
		rep.FreeAfter = pct
	}
	return rep
}

// act deletes or compresses one file. Time has passed since the scan, so the
// file is looked at again first; one that is gone is passed over (nil Action
// and Skip), one that is no longer an old regular file is skipped.
func (d *dir) act(ctx context.Context, s Spec, c candidate, cutoff time.Time) (*Action, int64, *Skip, error) {
	info, err := d.root.Lstat(c.name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, 0, nil, nil
	case err != nil:
		return nil, 0, nil, fmt.Errorf("cleanup %s: %w", d.join(c.name), unwrapPath(err))
	}
	skip := func(reason string) (*Action, int64, *Skip, error) {
		return nil, 0, &Skip{Path: d.join(c.name), Reason: reason}, nil
	}
	if reason := notRegular(info); reason != "" {
		return skip(reason)
	}
	if !info.ModTime().Before(cutoff) {
		return skip("modified during the clean-up")
	}

	a := &Action{Path: d.join(c.name), Size: info.Size(), ModTime: info.ModTime(), Op: OpDelete}
	if !s.Compress {
		if err := d.root.Remove(c.name); err != nil {
			return nil, 0, nil, fmt.Errorf("cleanup %s: delete: %w", a.Path, unwrapPath(err))
		}
		return a, a.Size, nil, nil
	}
	a.Op = OpCompress
	gzSize, reason, err := d.compress(ctx, c.name, info)
	if err != nil {
		return nil, 0, nil, fmt.Errorf("cleanup %s: compress: %w", a.Path, err)
	}
	if reason != "" {
		return skip(reason)
	}
	return a, a.Size - gzSize, nil, nil
}
