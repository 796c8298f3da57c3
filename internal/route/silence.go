package route

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/errs"
)

// Silence mutes the alerts its matchers match between StartsAt and EndsAt.
// Storing silences is the caller's; this package only matches them.
type Silence struct {
	ID string
	// Matchers are Alertmanager-syntax matchers, all of which must match.
	// An entry may also hold a {a="b", c=~"d"} list, as amtool and the
	// Alertmanager UI accept.
	Matchers  []string
	StartsAt  time.Time
	EndsAt    time.Time
	CreatedBy string
	Comment   string
	CreatedAt time.Time
}

// Validate reports every problem with the silence at once, as an errs.Invalid
// error: Alertmanager's rules for a new silence. It needs a matcher; matchers
// must parse; not all of them may match the empty string, since such a
// silence would mute alerts that lack the label, i.e. nearly everything; both
// times are set and the silence ends after it starts.
func (s Silence) Validate() error {
	var problems []string
	if _, err := s.compile(); err != nil {
		problems = append(problems, err.Error())
	}
	switch {
	case s.StartsAt.IsZero():
		problems = append(problems, "starts_at: is required")
	case s.EndsAt.IsZero():
		problems = append(problems, "ends_at: is required")
	case !s.EndsAt.After(s.StartsAt):
		problems = append(problems, "ends_at: must be after starts_at")
	}
	if len(problems) > 0 {
		return errs.E(errs.Invalid, "invalid silence: %s", strings.Join(problems, "; "))
	}
	return nil
}

// compile parses the matchers and applies Alertmanager's matcher rules
// (silence.validateSilence): at least one, and not all matching "".
func (s Silence) compile() (labels.Matchers, error) {
	var ms labels.Matchers
	var problems []string
	for i, text := range s.Matchers {
		parsed, err := labels.ParseMatchers(text)
		if err != nil {
			problems = append(problems, fmt.Sprintf("matchers[%d]: %v", i, err))
			continue
		}
		ms = append(ms, parsed...)
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	if len(ms) == 0 {
		return nil, errors.New("matchers: at least one matcher is required")
	}
	for _, m := range ms {
		if !matchesEmpty(m) {
			return ms, nil
		}
	}
	return nil, errors.New("matchers: at least one matcher must not match the empty string, or the silence mutes every alert without that label")
}

// matchesEmpty is Alertmanager's test: only = and =~ count. A != or !~
// matcher that happens to match "" (foo!="bar") is allowed alone, as there.
func matchesEmpty(m *labels.Matcher) bool {
	switch m.Type {
	case labels.MatchEqual, labels.MatchRegexp:
		return m.Matches("")
	}
	return false
}

// Active reports whether the silence is in force at t. Like Alertmanager,
// both ends are inclusive: expiring a silence sets EndsAt to now.
func (s Silence) Active(t time.Time) bool {
	return !t.Before(s.StartsAt) && !t.After(s.EndsAt)
}

// Matches reports whether the silence's matchers match lbls, whatever the
// time. A silence that would not validate matches nothing, so a bad stored
// row cannot mute every alert.
func (s Silence) Matches(lbls alert.LabelSet) bool {
	ms, err := s.compile()
	return err == nil && matchAll(ms, lbls)
}

// Silences is a list of silences, as the caller stores them.
type Silences []Silence

// Silencing returns the ids of the silences that are active at t and match
// lbls. It parses matchers on every call; a caller matching many alerts
// against the same silences should build a Silencer once.
func (s Silences) Silencing(lbls alert.LabelSet, t time.Time) []string {
	var ids []string
	for _, sil := range s {
		if sil.Active(t) && sil.Matches(lbls) {
			ids = append(ids, sil.ID)
		}
	}
	return ids
}

// Silencer is a set of silences with their matchers parsed once. Immutable,
// so it may be shared between goroutines.
type Silencer struct {
	entries []compiledSilence
}

type compiledSilence struct {
	Silence
	matchers labels.Matchers
}

// NewSilencer prepares silences for matching. Silences that would not
// validate are left out: they match nothing, as Silence.Matches says.
func NewSilencer(s Silences) *Silencer {
	out := &Silencer{entries: make([]compiledSilence, 0, len(s))}
	for _, sil := range s {
		ms, err := sil.compile()
		if err != nil {
			continue
		}
		out.entries = append(out.entries, compiledSilence{Silence: sil, matchers: ms})
	}
	return out
}

// Silencing returns the ids of the silences active at t that match lbls.
func (s *Silencer) Silencing(lbls alert.LabelSet, t time.Time) []string {
	var ids []string
	for _, e := range s.entries {
		if e.Active(t) && matchAll(e.matchers, lbls) {
			ids = append(ids, e.ID)
		}
	}
	return ids
}
