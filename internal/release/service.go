package release

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/vigil-sre/vigil/internal/clock"
	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/yamldoc"
)

// Service records releases and answers questions about them.
type Service struct {
	st    *store.Store
	clock clock.Clock
	mu    sync.Mutex
	cfg   *config.Config
}

// New makes the service; call Apply with the config.
func New(st *store.Store, c clock.Clock) *Service {
	if c == nil {
		c = clock.Real()
	}
	return &Service{st: st, clock: c}
}

// Apply makes cfg current: it decides which services, people and teams a
// release may name.
func (s *Service) Apply(cfg *config.Config) {
	s.mu.Lock()
	s.cfg = cfg
	s.mu.Unlock()
}

func (s *Service) directory() Directory {
	s.mu.Lock()
	defer s.mu.Unlock()
	return configDirectory{s.cfg}
}

type configDirectory struct{ cfg *config.Config }

func (d configDirectory) HasService(id string) bool {
	return d.cfg != nil && slices.ContainsFunc(d.cfg.Services, func(s config.Service) bool { return s.ID == id })
}

func (d configDirectory) Person(id string) (string, bool) {
	if d.cfg == nil {
		return "", false
	}
	for _, p := range d.cfg.People {
		if p.ID == id {
			return cmpOr(p.Name, p.ID), true
		}
	}
	return "", false
}

func (d configDirectory) Team(id string) (string, bool) {
	if d.cfg == nil {
		return "", false
	}
	for _, t := range d.cfg.Teams {
		if t.ID == id {
			return cmpOr(t.Name, t.ID), true
		}
	}
	return "", false
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Invalid is the error for a spec with problems: each names its field.
func Invalid(ps yamldoc.Problems) error {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.String()
	}
	return &errs.Error{Code: errs.Invalid, Message: strings.Join(msgs, "; "), Problems: toErrs(ps)}
}

func toErrs(ps yamldoc.Problems) []errs.Problem {
	out := make([]errs.Problem, len(ps))
	for i, p := range ps {
		out[i] = errs.Problem{Field: p.Field, Line: p.Line, Column: p.Column, Message: p.Message}
	}
	return out
}

// Create records a release. A spec with problems is refused with every one
// of them (errs.Invalid, naming fields); a version the service already has
// is errs.Conflict. Nothing is stored unless all of it is.
func (s *Service) Create(ctx context.Context, spec Spec, by string) (Release, error) {
	r, ps := Build(spec, s.directory())
	if len(ps) > 0 {
		return Release{}, Invalid(ps)
	}
	now := s.clock.Now()
	r.CreatedBy, r.CreatedAt, r.UpdatedAt = by, now, now
	details, err := json.Marshal(r.Details)
	if err != nil {
		return Release{}, errs.Wrap(errs.Internal, err, "encoding the release")
	}
	var ms []store.ReleaseManifestRow
	for _, m := range r.Manifests {
		w, err1 := json.Marshal(m.Workloads)
		f, err2 := json.Marshal(m.Findings)
		if err := errors.Join(err1, err2); err != nil {
			return Release{}, errs.Wrap(errs.Internal, err, "encoding a manifest")
		}
		ms = append(ms, store.ReleaseManifestRow{Name: m.Name, Source: m.Source, Workloads: w, Findings: f})
	}
	row, err := s.st.CreateRelease(ctx, store.ReleaseRow{Service: r.Service, Name: r.Name, Version: r.Version, Status: r.Status,
		PlannedAt: r.PlannedAt, StartedAt: r.StartedAt, FinishedAt: r.FinishedAt, Details: details, CreatedBy: by,
		CreatedAt: now, UpdatedAt: now}, ms, store.ReleaseStatusRow{To: r.Status, At: now, By: by, Note: "recorded"})
	switch {
	case errors.Is(err, store.ErrReleaseExists):
		return Release{}, &errs.Error{Code: errs.Conflict, Message: fmt.Sprintf("version: %s already has a release %s", r.Service, r.Version),
			Problems: []errs.Problem{{Field: "version", Message: fmt.Sprintf("%s already has a release %s", r.Service, r.Version)}}}
	case err != nil:
		return Release{}, errs.Wrap(errs.Internal, err, "storing the release")
	}
	return s.Get(ctx, row.ID)
}

// Get returns a release with its manifests and history.
func (s *Service) Get(ctx context.Context, id int64) (Release, error) {
	row, err := s.st.Release(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Release{}, errs.E(errs.NotFound, "no release %d", id)
	}
	if err != nil {
		return Release{}, errs.Wrap(errs.Internal, err, "reading release %d", id)
	}
	r, err := fromRow(row)
	if err != nil {
		return Release{}, err
	}
	ms, err := s.st.ReleaseManifests(ctx, id)
	if err != nil {
		return Release{}, errs.Wrap(errs.Internal, err, "reading the manifests of release %d", id)
	}
	for _, m := range ms {
		man := Manifest{Name: m.Name, Source: m.Source}
		if err := errors.Join(json.Unmarshal(m.Workloads, &man.Workloads), json.Unmarshal(m.Findings, &man.Findings)); err != nil {
			return Release{}, errs.Wrap(errs.Internal, err, "decoding a manifest of release %d", id)
		}
		r.Manifests = append(r.Manifests, man)
	}
	hist, err := s.st.ReleaseHistory(ctx, id)
	if err != nil {
		return Release{}, errs.Wrap(errs.Internal, err, "reading the history of release %d", id)
	}
	for _, h := range hist {
		r.History = append(r.History, StatusChange{From: h.From, To: h.To, At: h.At, By: h.By, Note: h.Note})
	}
	return r, nil
}

// fromRow decodes a stored release; manifests and history are left empty.
func fromRow(row store.ReleaseRow) (Release, error) {
	r := Release{ID: row.ID, Service: row.Service, Name: row.Name, Version: row.Version, Status: row.Status,
		PlannedAt: row.PlannedAt, StartedAt: row.StartedAt, FinishedAt: row.FinishedAt, CreatedBy: row.CreatedBy,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt, Manifests: []Manifest{}, History: []StatusChange{}}
	if err := json.Unmarshal(row.Details, &r.Details); err != nil {
		return Release{}, errs.Wrap(errs.Internal, err, "decoding release %d", row.ID)
	}
	return r, nil
}

// List returns releases, newest planned first, without their manifests
// and history.
func (s *Service) List(ctx context.Context, f store.ReleaseFilter) ([]Release, error) {
	for _, st := range f.Status {
		if !slices.Contains(Statuses, st) {
			return nil, errs.E(errs.Invalid, "status: %q is not one of %s", st, strings.Join(Statuses, ", "))
		}
	}
	rows, err := s.st.Releases(ctx, f)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "listing releases")
	}
	out := []Release{}
	for _, row := range rows {
		r, err := fromRow(row)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// CanMove reports whether a release of status from may move to status to.
func CanMove(from, to string) bool { return slices.Contains(next[from], to) }

// SetStatus moves a release to status: planned → in_progress → released or
// rolled_back, and released → rolled_back. Starting records when it
// started; releasing or rolling back records when it finished. at defaults
// to now and may not be in the future. Any other move is errs.Conflict.
func (s *Service) SetStatus(ctx context.Context, id int64, status, note, by string, at *time.Time) (Release, error) {
	if !slices.Contains(Statuses, status) {
		return Release{}, errs.E(errs.Invalid, "status: %q is not one of %s", status, strings.Join(Statuses, ", "))
	}
	if len(note) > MaxText {
		return Release{}, errs.E(errs.Invalid, "note: is longer than %d KiB", MaxText>>10)
	}
	now := s.clock.Now()
	when := now
	if at != nil {
		if at.After(now) {
			return Release{}, errs.E(errs.Invalid, "at: %s is in the future", at.UTC().Format(time.RFC3339))
		}
		when = at.UTC()
	}
	row, err := s.st.Release(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Release{}, errs.E(errs.NotFound, "no release %d", id)
	}
	if err != nil {
		return Release{}, errs.Wrap(errs.Internal, err, "reading release %d", id)
	}
	if !CanMove(row.Status, status) {
		allowed := "none: it is final"
		if n := next[row.Status]; len(n) > 0 {
			allowed = strings.Join(n, " or ")
		}
		return Release{}, errs.E(errs.Conflict, "status: release %d is %s; it can move to %s, not %s", id, row.Status, allowed, status)
	}
	started, finished := row.StartedAt, row.FinishedAt
	switch status {
	case InProgress:
		started = when
	case Released, RolledBack:
		if started.IsZero() {
			started = when
		}
		finished = when
	}
	if when.Before(row.StartedAt) && status != InProgress {
		return Release{}, errs.E(errs.Invalid, "at: %s is before the release started (%s)", when.Format(time.RFC3339), row.StartedAt.Format(time.RFC3339))
	}
	err = s.st.SetReleaseStatus(ctx, store.ReleaseStatusRow{ReleaseID: id, From: row.Status, To: status, At: when, By: by, Note: note}, started, finished)
	switch {
	case errors.Is(err, store.ErrStatusChanged):
		return Release{}, errs.E(errs.Conflict, "status: release %d changed status meanwhile; read it again", id)
	case err != nil:
		return Release{}, errs.Wrap(errs.Internal, err, "changing the status of release %d", id)
	}
	return s.Get(ctx, id)
}

// CreateYAML records a release sent as a YAML document named name: the
// problems it has, including those only the config can tell, come back
// located at name:line:col.
func (s *Service) CreateYAML(ctx context.Context, name string, data []byte, by string) (Release, error) {
	doc, err := yamldoc.Parse(name, data)
	if err == nil {
		var spec Spec
		if err = doc.Decode(&spec); err == nil {
			r, err := s.Create(ctx, spec, by)
			if ps := errs.ProblemsOf(err); len(ps) > 0 {
				e := err.(*errs.Error)
				located := doc.Locate(fromErrs(ps))
				return Release{}, &errs.Error{Code: e.Code, Message: located.Error(), Problems: toErrs(located)}
			}
			return r, err
		}
	}
	ps := err.(yamldoc.Problems)
	return Release{}, &errs.Error{Code: errs.Invalid, Message: ps.Error(), Problems: toErrs(ps)}
}

func fromErrs(ps []errs.Problem) yamldoc.Problems {
	out := make(yamldoc.Problems, len(ps))
	for i, p := range ps {
		out[i] = yamldoc.Problem{Field: p.Field, Line: p.Line, Column: p.Column, Message: p.Message}
	}
	return out
}
