package deploy

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/config"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/timebound"
)

// Input is a deploy as a caller reports it.
type Input struct {
	Service     string
	Version     string // may be left out when Release names one
	Environment string
	Artifact    string
	Notes       string
	// Release is the release the deploy carries: its id or its version.
	// Left out, a release of the service with the deploy's version is it.
	Release string
	Commits []CommitInput
	Status  string // succeeded (default), failed, rolled_back
	At      string // RFC 3339; default now
	By      string // who deployed, as the caller's credential vouches
	Source  string // api (default), pagerduty/ID
}

// CommitInput is one change a deploy brought, as reported.
type CommitInput struct {
	SHA string
	At  string // RFC 3339: when the commit was made
}

// Deploy statuses: how the deploy itself went.
const (
	Succeeded  = "succeeded"
	Failed     = "failed"
	RolledBack = "rolled_back"
)

// Statuses lists the deploy statuses.
func Statuses() []string { return []string{Succeeded, Failed, RolledBack} }

// Bounds on what a deploy may carry.
const (
	MaxCommits = 1000
	maxField   = 256     // service, version, environment, artifact, by
	maxNotes   = 8 << 10 // bytes
	maxSHA     = 64
)

// Record stores a deploy and starts its verification when the service has
// checks that verify it (see Verify). Every problem with the input is
// refused at once (errs.Invalid, each naming its field); nothing is stored
// unless all of it is.
func (s *Service) Record(ctx context.Context, in Input) (store.DeployRow, error) {
	now := s.d.Clock.Now()
	d, svc, err := s.build(ctx, in, now)
	if err != nil {
		return store.DeployRow{}, err
	}
	checks := verifyChecks(svc, d.Environment)
	if len(checks) > 0 && d.Status == Succeeded && now.Sub(d.At) <= svc.VerifyWithinOrDefault() {
		d.Verification = newVerification(checks, now, now.Add(svc.VerifyWithinOrDefault()))
	}
	d, err = s.d.Store.RecordDeploy(ctx, d)
	if err != nil {
		return store.DeployRow{}, errs.Wrap(errs.Internal, err, "storing the deploy")
	}
	if d.Verification != nil {
		s.v.start(d)
	}
	return d, nil
}

// build checks in and turns it into a row, with every problem at once.
func (s *Service) build(ctx context.Context, in Input, now time.Time) (store.DeployRow, *config.Service, error) {
	var ps problems
	past := timebound.Past(now)
	d := store.DeployRow{Service: strings.TrimSpace(in.Service), Version: strings.TrimSpace(in.Version),
		Environment: strings.TrimSpace(in.Environment), Artifact: in.Artifact, Notes: in.Notes, By: in.By,
		Status: in.Status, Source: in.Source, At: now}
	if d.Status == "" {
		d.Status = Succeeded
	}
	if d.Source == "" {
		d.Source = "api"
	}
	svc := s.service(d.Service)
	switch {
	case d.Service == "":
		ps.add("service", "is required")
	case svc == nil:
		ps.add("service", "unknown service %q", d.Service)
	}
	if d.Environment == "" {
		ps.add("environment", "is required")
	}
	if at, ok := ps.time(past, "at", in.At); ok && at != nil {
		d.At = *at
	}
	if !contains(Statuses(), d.Status) {
		ps.add("status", "%q is not one of %s", d.Status, strings.Join(Statuses(), ", "))
	}
	for _, f := range []struct{ field, v string }{{"service", d.Service}, {"version", d.Version},
		{"environment", d.Environment}, {"artifact", d.Artifact}, {"by", d.By}} {
		if len(f.v) > maxField {
			ps.add(f.field, "is longer than %d bytes", maxField)
		}
	}
	if len(d.Notes) > maxNotes {
		ps.add("notes", "is longer than %d KiB", maxNotes>>10)
	}
	if svc != nil && in.Release != "" {
		r, err := s.release(ctx, d.Service, in.Release)
		switch {
		case errs.CodeOf(err) == errs.Invalid:
			ps.add("release", "%s", errs.Message(err))
		case err != nil:
			return d, nil, err
		case d.Version == "":
			d.Version, d.ReleaseID = r.Version, r.ID
		case d.Version != r.Version:
			ps.add("release", "release %d of %s is version %s, not %s", r.ID, d.Service, r.Version, d.Version)
		default:
			d.ReleaseID = r.ID
		}
	}
	if d.Version == "" {
		ps.add("version", "is required (or name a release)")
	}
	if svc != nil && in.Release == "" && d.Version != "" {
		r, err := s.d.Store.ReleaseByVersion(ctx, d.Service, d.Version)
		switch {
		case err == nil:
			d.ReleaseID = r.ID
		case !errors.Is(err, store.ErrNotFound):
			return d, nil, errs.Wrap(errs.Internal, err, "looking up the release")
		}
	}
	d.Commits = s.commits(in.Commits, d.At, past, &ps)
	if err := ps.err(); err != nil {
		return d, nil, err
	}
	return d, svc, nil
}

// release finds the release a deploy names, by id or else by version (a
// version may look like a number).
func (s *Service) release(ctx context.Context, service, ref string) (store.ReleaseRow, error) {
	if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil && id > 0 {
		r, err := s.d.Store.Release(ctx, id)
		switch {
		case err == nil && r.Service == service:
			return r, nil
		case err != nil && !errors.Is(err, store.ErrNotFound):
			return r, errs.Wrap(errs.Internal, err, "looking up release %d", id)
		}
	}
	r, err := s.d.Store.ReleaseByVersion(ctx, service, ref)
	if errors.Is(err, store.ErrNotFound) {
		return r, errs.E(errs.Invalid, "no release %q of service %s (give its id or version)", clip(ref), service)
	}
	if err != nil {
		return r, errs.Wrap(errs.Internal, err, "looking up release %q", clip(ref))
	}
	return r, nil
}

// commits checks the commits: each has an id and a time, made before the
// deploy that brought it.
func (s *Service) commits(in []CommitInput, at time.Time, past timebound.Window, ps *problems) []store.Commit {
	if len(in) > MaxCommits {
		ps.add("commits", "has %d commits; at most %d", len(in), MaxCommits)
		return nil
	}
	out := make([]store.Commit, 0, len(in))
	for i, c := range in {
		field := fmt.Sprintf("commits[%d]", i)
		sha := strings.TrimSpace(c.SHA)
		switch {
		case sha == "":
			ps.add(field+".sha", "is required")
		case len(sha) > maxSHA || strings.ContainsFunc(sha, func(r rune) bool { return r <= ' ' || r == 0x7f }):
			ps.add(field+".sha", "must be at most %d characters without spaces", maxSHA)
		}
		t, ok := ps.time(past, field+".at", c.At)
		switch {
		case !ok:
		case t == nil:
			ps.add(field+".at", "is required: when the commit was made")
		case t.After(at):
			ps.add(field+".at", "%s is after the deploy (%s)", t.UTC().Format(time.RFC3339), at.UTC().Format(time.RFC3339))
		default:
			out = append(out, store.Commit{SHA: sha, At: *t})
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// problems gathers what is wrong with an input, by field.
type problems []errs.Problem

func (ps *problems) add(field, format string, args ...any) {
	*ps = append(*ps, errs.Problem{Field: field, Message: fmt.Sprintf(format, args...)})
}

// time reads an RFC 3339 time for field within w; ok is false when it is
// wrong (and noted), t nil when it is empty.
func (ps *problems) time(w timebound.Window, field, v string) (t *time.Time, ok bool) {
	t, err := w.Parse(field, strings.TrimSpace(v))
	if err != nil {
		msg := errs.Message(err)
		*ps = append(*ps, errs.Problem{Field: field, Message: strings.TrimPrefix(msg, field+": ")})
		return nil, false
	}
	return t, true
}

func (ps problems) err() error {
	if len(ps) == 0 {
		return nil
	}
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Field + ": " + p.Message
	}
	return &errs.Error{Code: errs.Invalid, Message: strings.Join(msgs, "; "), Problems: ps}
}

// clip keeps an echoed value short.
func clip(s string) string {
	if len(s) <= 64 {
		return s
	}
	cut := 64
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
