package route

import (
	"errors"
	"fmt"
	"time"

	"github.com/prometheus/alertmanager/pkg/labels"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/config"
)

// Maintenance holds the planned windows in which matching alerts do not
// page. Immutable once built.
type Maintenance struct {
	windows []window
}

type window struct {
	id         string
	matchers   labels.Matchers
	start, end time.Time
}

// NewMaintenance reads each window's start as a wall-clock time in
// global.timezone; its duration is elapsed time, so a window across a DST
// change still lasts exactly as long as written.
func NewMaintenance(cfg *config.Config) (*Maintenance, error) {
	loc, err := globalLocation(cfg)
	if err != nil {
		return nil, err
	}
	m := &Maintenance{windows: make([]window, 0, len(cfg.Maintenance))}
	var errs []error
	for _, cm := range cfg.Maintenance {
		start, err1 := config.ParseLocalTime(cm.Start, loc)
		ms, err2 := compileMatchers(cm.Match, nil)
		if err := errors.Join(err1, err2); err != nil {
			errs = append(errs, fmt.Errorf("maintenance %q: %w", cm.ID, err))
			continue
		}
		m.windows = append(m.windows, window{id: cm.ID, matchers: ms, start: start, end: start.Add(cm.Duration.D())})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

// In reports the first window, in config order, that covers t and whose
// labels lbls has. A window is [start, start+duration): it ends exactly when
// its duration is up. Match values are equality matchers, so key: "" matches
// an alert without the label, as in Alertmanager.
func (m *Maintenance) In(lbls alert.LabelSet, t time.Time) (id string, ok bool) {
	for _, w := range m.windows {
		if !t.Before(w.start) && t.Before(w.end) && matchAll(w.matchers, lbls) {
			return w.id, true
		}
	}
	return "", false
}
