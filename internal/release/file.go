package release

import (
	"path/filepath"
	"strings"

	"github.com/vigil-sre/vigil/internal/release/capacity"
	"github.com/vigil-sre/vigil/internal/yamldoc"
)

// File is a release file read from disk, with what it refers to read in.
type File struct {
	Spec Spec
	doc  *yamldoc.Doc
	cap  *yamldoc.Doc // the capacity file, when capacity_file names one
}

// MaxFileSize bounds a release file and each file it names.
const MaxFileSize = 1 << 20

// ReadFile reads a release file strictly: unknown fields, values of the
// wrong type and every problem Build finds without the config are reported
// at once, located at file:line:col. Manifest files and capacity_file are
// read through read, relative to the release file.
func ReadFile(name string, data []byte, read func(string) ([]byte, error)) (*File, error) {
	doc, err := yamldoc.Parse(name, data)
	if err != nil {
		return nil, err
	}
	f := &File{doc: doc}
	if err := doc.Decode(&f.Spec); err != nil {
		return nil, err
	}
	var ps yamldoc.Problems
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(filepath.Dir(name), p)
	}
	for i := range f.Spec.Manifests {
		m := &f.Spec.Manifests[i]
		if m.File == "" {
			continue
		}
		field := yamldoc.Index("manifests", i) + ".file"
		if m.YAML != "" {
			ps = append(ps, doc.Problem(field, "give file or yaml, not both"))
			continue
		}
		b, err := read(rel(m.File))
		if err != nil {
			ps = append(ps, doc.Problem(field, "%v", err))
			continue
		}
		if m.Name == "" {
			m.Name = m.File
		}
		m.YAML, m.File = string(b), ""
	}
	if cf := f.Spec.CapacityFile; cf != "" {
		if f.Spec.Capacity != nil {
			ps = append(ps, doc.Problem("capacity_file", "give capacity or capacity_file, not both"))
		} else if b, err := read(rel(cf)); err != nil {
			ps = append(ps, doc.Problem("capacity_file", "%v", err))
		} else if f.cap, err = yamldoc.Parse(rel(cf), b); err != nil {
			ps = append(ps, err.(yamldoc.Problems)...)
		} else {
			f.Spec.Capacity = &capacity.Spec{}
			if err := f.cap.Decode(f.Spec.Capacity); err != nil {
				ps = append(ps, err.(yamldoc.Problems)...)
			}
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	if _, ps := Build(f.Spec, nil); len(ps) > 0 {
		return nil, f.Locate(ps)
	}
	return f, nil
}

// Locate places problems named by field (from Build, or from the server)
// in the release file, or in the capacity file for capacity fields that
// came from one.
func (f *File) Locate(ps yamldoc.Problems) yamldoc.Problems {
	out := make(yamldoc.Problems, 0, len(ps))
	for _, p := range ps {
		if p.Line == 0 {
			if rest, ok := strings.CutPrefix(p.Field, "capacity."); ok && f.cap != nil {
				p.Field = rest
				p = f.cap.Locate(yamldoc.Problems{p})[0]
			} else {
				p = f.doc.Locate(yamldoc.Problems{p})[0]
			}
		}
		out = append(out, p)
	}
	out.Sort()
	return out
}
