package deploy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/release"
	"github.com/vigil-sre/vigil/internal/store"
)

// budget holds back a deploy that is not a fix while an SLO of the service
// whose policy says block_deploys has spent its error budget. A fix is a
// version whose release record only has fix and security tickets; a fix
// that goes ahead this way gets a note, so the audit log says why.
func (s *Service) budget(ctx context.Context, service, version string) (*Reason, string, error) {
	if s.d.Budget == nil {
		return nil, "", nil
	}
	spent, why := s.d.Budget.BudgetExhausted(service)
	if !spent {
		return nil, "", nil
	}
	fix, what, err := s.fix(ctx, service, version)
	if err != nil {
		return nil, "", err
	}
	if fix {
		return nil, fmt.Sprintf("%s; %s, so it may go ahead", why, what), nil
	}
	return &Reason{Code: "error_budget", Message: fmt.Sprintf("%s; until it recovers only fixes may go out, and %s", why, what)}, "", nil
}

// fix reports whether the service's release of version only fixes, and
// says what the release is.
func (s *Service) fix(ctx context.Context, service, version string) (bool, string, error) {
	row, err := s.d.Store.ReleaseByVersion(ctx, service, version)
	if errors.Is(err, store.ErrNotFound) {
		return false, fmt.Sprintf("%s %s has no release record to say it is a fix", service, version), nil
	}
	if err != nil {
		return false, "", errs.Wrap(errs.Internal, err, "looking up the release of %s %s", service, version)
	}
	var d release.Details
	if err := json.Unmarshal(row.Details, &d); err != nil {
		return false, "", errs.Wrap(errs.Internal, err, "decoding release %d", row.ID)
	}
	if d.OnlyFixes() {
		return true, fmt.Sprintf("release %s of %s only fixes (%s)", version, service, tickets(d.CodeChanges, nil)), nil
	}
	if len(d.CodeChanges) == 0 {
		return false, fmt.Sprintf("release %s of %s lists no code changes to say it is a fix", version, service), nil
	}
	others := tickets(d.CodeChanges, func(t release.Ticket) bool { return t.Kind != "fix" && t.Kind != "security" })
	return false, fmt.Sprintf("release %s of %s is not only fixes (%s)", version, service, others), nil
}

// tickets names the tickets keep selects (all when nil) with their kinds,
// the first few of them.
func tickets(ts []release.Ticket, keep func(release.Ticket) bool) string {
	const most = 5
	var names []string
	n := 0
	for _, t := range ts {
		if keep != nil && !keep(t) {
			continue
		}
		if n++; n <= most {
			names = append(names, clip(t.ID)+" "+t.Kind)
		}
	}
	if n > most {
		names = append(names, fmt.Sprintf("and %d more", n-most))
	}
	return strings.Join(names, ", ")
}
