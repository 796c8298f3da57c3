package deploy

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// GuardRequest asks whether a deploy may go ahead now.
type GuardRequest struct {
	Service     string
	Version     string
	Environment string   // default production
	Images      []string // container images the deploy will run
	By          string   // who asks, for the audit log
}

// Decision is the deploy guard's answer, with every reason when it is no.
type Decision struct {
	Allowed     bool      `json:"allowed"`
	Reasons     []Reason  `json:"reasons,omitempty"`
	Notes       []string  `json:"notes,omitempty"` // why it goes ahead despite something: a fix while the budget is spent
	Service     string    `json:"service"`
	Version     string    `json:"version"`
	Environment string    `json:"environment"`
	At          time.Time `json:"at"`
}

// Reason is one thing that stands in a deploy's way.
type Reason struct {
	// Code is freeze, incident, error_budget, unverified or unpinned_image.
	Code    string `json:"code"`
	Message string `json:"message"`
}

// DefaultEnvironment is where a guard request deploys when it does not say.
const DefaultEnvironment = "production"

// Bounds on a guard request.
const maxImages = 64

// Check answers whether a deploy may go ahead now. It refuses one during a
// freeze window of the service (its deploy.freeze: time intervals and
// maintenance windows), while a SEV1 or SEV2 incident on the service is
// open, of a version that is not a fix while an SLO of the service whose
// policy blocks deploys has spent its error budget, of a version that has
// not passed verification in every environment of deploy.promote_from,
// and with an image that is not pinned (no tag, or :latest; a digest
// pins). The environments of promote_from are where versions prove
// themselves: freezes, incidents and spent budgets do not hold them up.
// Each decision is written to the audit log.
func (s *Service) Check(ctx context.Context, req GuardRequest) (Decision, error) {
	req.Service, req.Version, req.Environment = strings.TrimSpace(req.Service), strings.TrimSpace(req.Version), strings.TrimSpace(req.Environment)
	if req.Environment == "" {
		req.Environment = DefaultEnvironment
	}
	var ps problems
	svc := s.service(req.Service)
	switch {
	case req.Service == "":
		ps.add("service", "is required")
	case svc == nil:
		ps.add("service", "unknown service %q", clip(req.Service))
	}
	if req.Version == "" {
		ps.add("version", "is required")
	}
	for _, f := range []struct{ field, v string }{{"service", req.Service}, {"version", req.Version}, {"environment", req.Environment}} {
		if len(f.v) > maxField {
			ps.add(f.field, "is longer than %d bytes", maxField)
		}
	}
	if len(req.Images) > maxImages {
		ps.add("images", "has %d images; at most %d", len(req.Images), maxImages)
	}
	for i, img := range req.Images {
		if img = strings.TrimSpace(img); img == "" || len(img) > 512 || strings.ContainsAny(img, " \t\r\n") {
			ps.add(fmt.Sprintf("images[%d]", i), "must be an image reference such as registry.example/shop:2.0.1")
		}
	}
	if err := ps.err(); err != nil {
		return Decision{}, err
	}
	now := s.d.Clock.Now()
	dec := Decision{Service: req.Service, Version: req.Version, Environment: req.Environment, At: now}
	policy := svc.Deploy
	proving := policy != nil && slices.Contains(policy.PromoteFrom, req.Environment)
	if policy != nil && !proving {
		dec.Reasons = append(dec.Reasons, s.frozen(req.Service, policy.Freeze, now)...)
	}
	if !proving {
		rs, err := s.incidents(ctx, req.Service)
		if err != nil {
			return Decision{}, err
		}
		dec.Reasons = append(dec.Reasons, rs...)
		r, note, err := s.budget(ctx, req.Service, req.Version)
		if err != nil {
			return Decision{}, err
		}
		if r != nil {
			dec.Reasons = append(dec.Reasons, *r)
		}
		if note != "" {
			dec.Notes = append(dec.Notes, note)
		}
	}
	if policy != nil && len(policy.PromoteFrom) > 0 && !proving {
		rs, err := s.unverified(ctx, req.Service, req.Version, policy.PromoteFrom)
		if err != nil {
			return Decision{}, err
		}
		dec.Reasons = append(dec.Reasons, rs...)
	}
	for _, img := range req.Images {
		if why := unpinned(strings.TrimSpace(img)); why != "" {
			dec.Reasons = append(dec.Reasons, Reason{Code: "unpinned_image", Message: why})
		}
	}
	dec.Allowed = len(dec.Reasons) == 0
	s.audit(ctx, req, dec)
	return dec, nil
}

// frozen lists the freeze windows of the service that hold now.
func (s *Service) frozen(service string, ids []string, now time.Time) []Reason {
	s.mu.Lock()
	iv, maint := s.iv, s.maint
	s.mu.Unlock()
	var out []Reason
	for _, id := range ids {
		if w, ok := maint[id]; ok {
			if !now.Before(w.start) && now.Before(w.end) {
				out = append(out, Reason{Code: "freeze", Message: fmt.Sprintf("deploys of %s are frozen during maintenance window %s, until %s",
					service, id, w.end.UTC().Format(time.RFC3339))})
			}
			continue
		}
		if iv.Contains(id, now) {
			out = append(out, Reason{Code: "freeze", Message: fmt.Sprintf("deploys of %s are frozen during time interval %s", service, id)})
		}
	}
	return out
}

// incidents lists the open SEV1 and SEV2 incidents on the service.
func (s *Service) incidents(ctx context.Context, service string) ([]Reason, error) {
	ins, err := s.d.Store.Incidents(ctx, store.IncidentFilter{Service: service, Limit: 100,
		Status: []string{store.IncidentInvestigating, store.IncidentIdentified, store.IncidentMonitoring}})
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "reading open incidents")
	}
	var out []Reason
	for _, in := range ins {
		if in.Severity != "SEV1" && in.Severity != "SEV2" {
			continue
		}
		out = append(out, Reason{Code: "incident", Message: fmt.Sprintf("incident #%d (%s, %s) is open on %s: %s",
			in.ID, in.Severity, in.Status, service, in.Title)})
	}
	return out, nil
}

// unverified lists the environments of promote_from where the version has
// not passed verification.
func (s *Service) unverified(ctx context.Context, service, version string, from []string) ([]Reason, error) {
	passed, err := s.d.Store.VerifiedEnvironments(ctx, service, version)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "reading verified deploys")
	}
	var out []Reason
	for _, env := range from {
		if slices.Contains(passed, env) {
			continue
		}
		where := "nowhere"
		if len(passed) > 0 {
			where = "only in " + strings.Join(passed, ", ")
		}
		out = append(out, Reason{Code: "unverified", Message: fmt.Sprintf("%s %s has not passed verification in %s (it passed %s)",
			service, version, env, where)})
	}
	return out, nil
}

// audit records a guard decision.
func (s *Service) audit(ctx context.Context, req GuardRequest, dec Decision) {
	action, detail := "deploy.allowed", fmt.Sprintf("%s %s to %s", dec.Service, dec.Version, dec.Environment)
	if !dec.Allowed {
		action = "deploy.refused"
		msgs := make([]string, len(dec.Reasons))
		for i, r := range dec.Reasons {
			msgs[i] = r.Message
		}
		detail += ": " + strings.Join(msgs, "; ")
	}
	if len(dec.Notes) > 0 {
		detail += " (" + strings.Join(dec.Notes, "; ") + ")"
	}
	row := store.AuditRow{At: dec.At, Actor: cmpOr(req.By, "system"), Action: action, Detail: detail}
	if _, err := s.d.Store.AppendAudit(context.WithoutCancel(ctx), row); err != nil {
		s.d.Log.Error("deploy: writing the guard's decision to the audit log failed", "err", err)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
