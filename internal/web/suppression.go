package web

import (
	"context"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/pager"
)

// suppressions says what holds back each open alert now (silences,
// maintenance windows, inhibition), by the rule the pager pages by.
func (s *Server) suppressions(ctx context.Context) (map[int64]pager.Suppression, error) {
	now := s.now()
	live, err := s.d.Store.LiveAlerts(ctx)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "reading open alerts")
	}
	silences, err := s.d.Store.Silences(ctx, now)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "reading silences")
	}
	sup, err := pager.Suppressions(s.d.Config(), silences, live, now)
	if err != nil {
		return nil, errs.Wrap(errs.Internal, err, "evaluating silences")
	}
	return sup, nil
}

// suppressed marks v with what holds it back, if anything does.
func (v *alertView) suppressed(sup map[int64]pager.Suppression) {
	s, ok := sup[v.ID]
	if !ok {
		return
	}
	v.SilencedBy, v.Maintenance, v.Inhibited, v.SuppressedBy, v.held = s.SilencedBy, s.Maintenance, s.Inhibited, s.Reason(), s.Kind()
}

// Held is one word for what holds the alert back, for pages.
func (v alertView) Held() string { return v.held }
