package runbook

import (
	"context"
	"slices"
	"strings"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// starter is who asked for a run in person: the token of a run by hand (or
// of the run by hand a child run descends from) and the person the token
// belongs to, if any. Runs an alert, schedule or webhook started have none.
type starter struct{ token, person string }

func (s starter) String() string {
	if s.person != "" {
		return "person/" + s.person
	}
	return "token/" + s.token
}

// starterOf finds who asked for a new run.
func (e *Engine) starterOf(req Request) starter {
	if req.parent != nil {
		return req.parent.starter
	}
	if req.Trigger != TriggerManual {
		return starter{}
	}
	// A person signed in to the browser app starts runs as person/ID.
	if person, ok := strings.CutPrefix(req.TriggeredBy, "person/"); ok {
		return starter{person: person}
	}
	tok, ok := strings.CutPrefix(req.TriggeredBy, "token/")
	if !ok {
		return starter{}
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	return starter{token: tok, person: e.tokens[tok]}
}

// recoveredStarter finds who asked for a run Vigil resumes after a stop,
// following a child run up to the run that began it.
func (e *Engine) recoveredStarter(ctx context.Context, row store.RunRow) starter {
	for range MaxDepth + 2 {
		if row.ParentRunID == "" {
			return e.starterOf(Request{Trigger: row.Trigger, TriggeredBy: row.TriggeredBy})
		}
		parent, _, err := e.d.Store.Run(ctx, row.ParentRunID)
		if err != nil {
			break
		}
		row = parent
	}
	return starter{}
}

// distinct reports whether r's starter is kept from approving it.
func (r *run) distinct() bool {
	return r.b.cfg.Guard.Distinct() && (r.starter.token != "" || r.starter.person != "")
}

// refuseSelfApproval refuses an approval by token (and its person) when
// the run's starter may not approve it.
func (r *run) refuseSelfApproval(token, person string) error {
	if !r.distinct() {
		return nil
	}
	if (token != "" && token == r.starter.token) || (person != "" && person == r.starter.person) {
		return errs.E(errs.Forbidden, "%s started run %s and may not approve it too (guard.distinct_approver); another approver must",
			r.starter, r.row.ID)
	}
	return nil
}

// refuseSelfLink refuses a signed link's approval when it vouches for the
// run's starter: their own person, or a team they are in, since a team's
// link cannot say which member opened it.
func (e *Engine) refuseSelfLink(r *run, who string) error {
	if !r.distinct() || r.starter.person == "" {
		return nil
	}
	kind, id, _ := strings.Cut(who, "/")
	e.mu.Lock()
	member := kind == "team" && slices.Contains(e.teams[id], r.starter.person)
	e.mu.Unlock()
	if (kind == "person" && id == r.starter.person) || member {
		return errs.E(errs.Forbidden, "%s started run %s and may not approve it too (guard.distinct_approver); another approver must",
			r.starter, r.row.ID)
	}
	return nil
}

// approvalTargets are whom to ask for an approval. When the starter may not
// approve, a team is asked member by member, leaving the starter out, so
// that each link vouches for one person who may use it.
func (e *Engine) approvalTargets(r *run, targets []string) []string {
	if !r.distinct() || r.starter.person == "" {
		return targets
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for _, t := range targets {
		kind, id, _ := strings.Cut(t, "/")
		switch {
		case kind == "team":
			for _, m := range e.teams[id] {
				if p := "person/" + m; m != r.starter.person && !slices.Contains(out, p) {
					out = append(out, p)
				}
			}
		case kind == "person" && id == r.starter.person:
		case !slices.Contains(out, t):
			out = append(out, t)
		}
	}
	return out
}

// noOtherApprover says why nobody could approve r when its starter may
// not and the approvers are only the starter; "" when someone else can.
func (e *Engine) noOtherApprover(r *run, approvers []string) string {
	if len(approvers) == 0 || !r.distinct() || r.starter.person == "" {
		return ""
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, a := range approvers {
		kind, id, _ := strings.Cut(a, "/")
		switch kind {
		case "person":
			if id != r.starter.person {
				return ""
			}
		case "team":
			if slices.ContainsFunc(e.teams[id], func(m string) bool { return m != r.starter.person }) {
				return ""
			}
		}
	}
	return "only " + strings.Join(approvers, ", ") + " may approve, and " + r.starter.String() +
		" started this run (distinct_approver); list another approver, or let someone else start it"
}
