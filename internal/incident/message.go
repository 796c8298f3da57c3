package incident

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// MaxMessage is the longest stakeholder message, in characters: an update
// people read on a phone, not a report.
const MaxMessage = 4000

// Message sends an update to the stakeholders of the incident's services
// and records it on the timeline: what was said and by whom, then whom it
// went to.
func (s *Service) Message(ctx context.Context, id int64, text, by string) (store.TimelineEntry, error) {
	text = strings.TrimSpace(text)
	switch n := utf8.RuneCountInString(text); {
	case n == 0:
		return store.TimelineEntry{}, errs.E(errs.Invalid, "text: is required")
	case n > MaxMessage:
		return store.TimelineEntry{}, errs.E(errs.Invalid, "text: %d characters is longer than %d", n, MaxMessage)
	}
	in, err := s.Get(ctx, id)
	if err != nil {
		return store.TimelineEntry{}, err
	}
	if len(s.Stakeholders(in.Services)) == 0 {
		return store.TimelineEntry{}, errs.E(errs.Invalid, "incident %d has no stakeholders to tell: its services (%s) list none under services[].stakeholders",
			id, strings.Join(in.Services, ", "))
	}
	e := []store.TimelineEntry{{IncidentID: id, At: s.d.Clock.Now(), Kind: "message", Actor: by, Text: text}}
	if err := s.d.Store.AppendTimeline(ctx, e); err != nil {
		return e[0], errs.Wrap(errs.Internal, err, "storing the message")
	}
	s.changed(id)
	s.tell(ctx, in, nil, fmt.Sprintf("Incident %d update: %s", in.ID, in.Title), text)
	return e[0], nil
}
