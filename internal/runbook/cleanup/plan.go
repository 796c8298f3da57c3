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
	d, err := openDir(s)
	if err != nil {
		return Report{}, err
	}
	defer d.close()
	cands, skipped, err := d.scan(s, now)
	if err != nil {
		return Report{}, err
	}
	pct, total, err := free(d.path)
	if err != nil {
		return Report{}, err
	}

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
