package cleanup

import "time"

// compressGain is the share of a file Plan assumes gzip frees; logs
// usually compress by more.
const compressGain = 0.9

// Plan reports what Apply would do, touching nothing; it is the dry run.
// With KeepFreePercent it estimates: each file adds its size to the free
// space (compress: 90% of it) until the estimate reaches the target, so the
// FreeFunc must give the file system's size (with a size of 0 every matching
// file is listed). A nil free reads statfs.
func Plan(s Spec, now time.Time, free FreeFunc) (Report, error) {
	if free == nil {
		free = statFree
	}
	d, cands, skipped, pct, total, err := survey(s, now, free)
	if err != nil {
		return Report{}, err
	}
	defer d.close()

	rep := Report{Actions: []Action{}, Skipped: skipped, FreeBefore: pct, FreeAfter: pct}
	for _, c := range cands {
		if s.KeepFreePercent > 0 && rep.FreeAfter >= s.KeepFreePercent {
			rep.StoppedEarly = true
			break
		}
		a := Action{Path: d.join(c.name), Size: c.info.Size(), ModTime: c.info.ModTime(), Op: OpDelete}
		gain := a.Size
		if s.Compress {
			a.Op = OpCompress
			gain = int64(compressGain * float64(a.Size))
		}
		rep.Actions = append(rep.Actions, a)
		rep.Freed += gain
		if total > 0 {
			rep.FreeAfter = min(100, pct+100*float64(rep.Freed)/float64(total))
		}
	}
	return rep, nil
}

// survey opens the directory and finds what may be acted on, and how full
// the file system is. The caller closes the directory when err is nil.
func survey(s Spec, now time.Time, free FreeFunc) (d *dir, cands []candidate, skipped []Skip, pct float64, total int64, err error) {
	if d, err = openDir(s); err != nil {
		return nil, nil, nil, 0, 0, err
	}
	if cands, skipped, err = d.scan(s, now); err == nil {
		pct, total, err = free(d.path)
	}
	if err != nil {
		d.close()
		return nil, nil, nil, 0, 0, err
	}
	return d, cands, skipped, pct, total, nil
}
