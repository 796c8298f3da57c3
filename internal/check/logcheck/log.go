// Package logcheck follows a log file, as tail -F does, and counts the lines
// matching a pattern, per probe and within the check's window. It owns the
// follower (rotation, truncation, partial lines) and the fast line matcher.
//
// A log check without expect conditions fails only when the file cannot be
// read; write e.g. `matches < 5` to alert on the lines themselves.
package logcheck

import (
	"errors"
	"path/filepath"
	"regexp"
	"regexp/syntax"

	"github.com/vigil-sre/vigil/internal/check"
	"github.com/vigil-sre/vigil/internal/clock"
)

// DefaultMaxRead bounds the bytes one probe reads. Reading from the page cache
// runs at more than 1 GB/s, so 64 MiB costs well under a second even from a
// slow disk, inside the default 10s timeout; at the default 1m interval it
// keeps pace with a log growing 1 MiB/s. A larger backlog (from: start on a
// big file) is worked off over several probes.
const DefaultMaxRead = 64 << 20

// Spec is written under `log:`.
type Spec struct {
	Path    string `yaml:"path" jsonschema:"required,description=file to follow; relative paths are resolved against the config file's directory"`
	Match   string `yaml:"match" jsonschema:"required,description=Go (RE2) regular expression; a line containing a match counts once"`
	From    string `yaml:"from,omitempty" jsonschema:"enum=end,enum=start,default=end,description=where to begin on the first probe: end counts only lines written from then on (like tail -f); start reads the whole file"`
	MaxRead int64  `yaml:"max_read,omitempty" jsonschema:"minimum=0,description=bytes one probe reads at most (default 64 MiB); the next probe continues where it stopped"`
}

// Vars are what a probe read. Counts are of whole lines, like grep -c.
type Vars struct {
	// Matches is the number of matching lines read within the check's window
	// (or by this probe when the check has no window).
	Matches int `expr:"matches" json:"matches"`
	// NewMatches is the number of matching lines this probe read.
	NewMatches int `expr:"new_matches" json:"new_matches"`
	// Lines is the number of lines this probe read.
	Lines int `expr:"lines" json:"lines"`
	// Bytes is the number of bytes this probe read.
	Bytes int64 `expr:"bytes" json:"bytes"`
	// LastMatch is the most recent matching line counted in Matches, cut to
	// about 200 bytes; empty when Matches is 0.
	LastMatch string `expr:"last_match" json:"last_match"`
	// Size is the size of the followed file.
	Size int64 `expr:"size" json:"size"`
}

func (s *Spec) Kind() string            { return "log" }
func (s *Spec) Vars() any               { return Vars{} }
func (s *Spec) DefaultExpect() []string { return nil }

func (s *Spec) Validate() []check.Problem {
	var ps []check.Problem
	if s.Path == "" {
		ps = append(ps, check.Problem{Field: "path", Message: "is required"})
	}
	if s.Match == "" {
		ps = append(ps, check.Problem{Field: "match", Message: "is required (a regular expression)"})
	} else if _, err := regexp.Compile(s.Match); err != nil {
		msg := err.Error()
		var se *syntax.Error
		if errors.As(err, &se) {
			msg = se.Code.String() + ": `" + se.Expr + "`"
		}
		ps = append(ps, check.Problem{Field: "match", Message: "is not a valid regular expression: " + msg})
	}
	if s.From != "" && s.From != "end" && s.From != "start" {
		ps = append(ps, check.Problem{Field: "from", Message: `must be "end" or "start"`})
	}
	if s.MaxRead < 0 {
		ps = append(ps, check.Problem{Field: "max_read", Message: "must not be negative"})
	}
	return ps
}

// NewProber opens nothing yet: the first probe does, so building a prober has
// no side effects and holds no file until the check runs.
func (s *Spec) NewProber(env check.Env) (check.Prober, error) {
	m, err := newMatcher(s.Match)
	if err != nil {
		return nil, err
	}
	path := s.Path
	if !filepath.IsAbs(path) && env.Dir != "" {
		path = filepath.Join(env.Dir, path)
	}
	maxRead := s.MaxRead
	if maxRead == 0 {
		maxRead = DefaultMaxRead
	}
	clk := env.Clock
	if clk == nil {
		clk = clock.Real()
	}
	return &prober{
		path:    path,
		m:       m,
		maxRead: maxRead,
		fromEnd: s.From != "start",
		clock:   clk,
		win:     window{span: env.Window},
	}, nil
}
