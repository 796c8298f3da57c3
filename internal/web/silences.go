package web

import (
	"crypto/rand"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/pager"
	"github.com/vigil-sre/vigil/internal/route"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/timebound"
)

type silenceView struct {
	ID        string    `json:"id"`
	Matchers  []string  `json:"matchers"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	CreatedBy string    `json:"created_by"`
	Comment   string    `json:"comment"`
	CreatedAt time.Time `json:"created_at"`
	State     string    `json:"state"` // pending, active, expired
}

func newSilenceView(s store.SilenceRow, now time.Time) silenceView {
	v := silenceView{ID: s.ID, Matchers: s.Matchers, StartsAt: s.StartsAt, EndsAt: s.EndsAt, CreatedBy: s.CreatedBy,
		Comment: s.Comment, CreatedAt: s.CreatedAt, State: "active"}
	switch {
	case !now.Before(s.EndsAt):
		v.State = "expired"
	case now.Before(s.StartsAt):
		v.State = "pending"
	}
	return v
}

// listSilences answers GET /api/v1/silences?all=true&limit=N, the latest
// start first; all includes expired ones.
func (s *Server) listSilences(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	since := now
	if r.URL.Query().Get("all") == "true" {
		since = time.Time{}
	}
	limit, err := limitParam(r, 100, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.d.Store.SilencePage(r.Context(), since, limit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]silenceView, 0, len(rows))
	for _, sl := range rows {
		out = append(out, newSilenceView(sl, now))
	}
	writeJSON(w, http.StatusOK, out)
}

// silenceRequest is the body of POST /api/v1/silences.
// Times and the duration are read as strings so a bad one is reported with
// its field's name.
type silenceRequest struct {
	Matchers  []string `json:"matchers"`
	StartsAt  string   `json:"starts_at"`
	EndsAt    string   `json:"ends_at"`
	Duration  string   `json:"duration"`
	Comment   string   `json:"comment"`
	CreatedBy string   `json:"created_by"`
}

// window reads when the silence starts (now unless given) and ends. Both
// lie between 1970 and a year from now.
func (req silenceRequest) window(now time.Time) (start, end time.Time, err error) {
	bound := timebound.Ahead(now)
	start = now
	if t, err := bound.Parse("starts_at", req.StartsAt); err != nil {
		return start, end, err
	} else if t != nil {
		start = *t
	}
	switch {
	case req.EndsAt != "" && req.Duration != "":
		return start, end, errs.E(errs.Invalid, "give ends_at or duration, not both")
	case req.EndsAt != "":
		t, err := bound.Parse("ends_at", req.EndsAt)
		if err != nil {
			return start, end, err
		}
		end = *t
	case req.Duration != "":
		d, err := duration.Parse(req.Duration)
		if err != nil {
			return start, end, errs.E(errs.Invalid, "duration: %v", err)
		}
		if d <= 0 {
			return start, end, errs.E(errs.Invalid, "duration: must be positive, got %q", req.Duration)
		}
		end = start.Add(d)
		if p := bound.Problem(end); p != "" {
			return start, end, errs.E(errs.Invalid, "duration: the silence would end at %s", p)
		}
	default:
		return start, end, errs.E(errs.Invalid, "ends_at or duration is required")
	}
	return start, end, nil
}

// createSilence answers POST /api/v1/silences (respond scope) with 201 and
// the silence. Give ends_at or duration; starts_at defaults to now.
func (s *Server) createSilence(w http.ResponseWriter, r *http.Request) {
	who, err := s.allow(r, auth.Respond)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var req silenceRequest
	if err := decodeBody(w, r, 64<<10, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.now()
	start, end, err := req.window(now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	row, err := s.addSilence(r, who.ActorAs(req.CreatedBy), req.Matchers, start, end, req.Comment)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, newSilenceView(row, now))
}

// addSilence validates and stores a silence made by who, for the API and
// the silences page alike.
func (s *Server) addSilence(r *http.Request, who string, matchers []string, start, end time.Time, comment string) (store.SilenceRow, error) {
	now := s.now()
	sl := route.Silence{Matchers: matchers, StartsAt: start, EndsAt: end, Comment: comment, CreatedAt: now, CreatedBy: who}
	if strings.TrimSpace(sl.Comment) == "" {
		return store.SilenceRow{}, errs.E(errs.Invalid, "comment is required: say why, so the next person knows")
	}
	if err := sl.Validate(); err != nil {
		return store.SilenceRow{}, errs.E(errs.Invalid, "%v", err)
	}
	sl.ID = rand.Text()[:16]
	row := store.SilenceRow{ID: sl.ID, Matchers: sl.Matchers, StartsAt: sl.StartsAt, EndsAt: sl.EndsAt,
		CreatedBy: sl.CreatedBy, Comment: sl.Comment, CreatedAt: now, UpdatedAt: now}
	return row, s.saveSilence(r, row)
}

// silenceByID reads the silence the path names.
func (s *Server) silenceByID(r *http.Request) (store.SilenceRow, error) {
	row, err := s.d.Store.Silence(r.Context(), r.PathValue("id"))
	if errors.Is(err, store.ErrNotFound) {
		err = errs.E(errs.NotFound, "no silence %q", r.PathValue("id"))
	}
	return row, err
}

// saveSilence stores a silence and hands the pager the new set.
func (s *Server) saveSilence(r *http.Request, row store.SilenceRow) error {
	if err := s.d.Store.PutSilence(r.Context(), row); err != nil {
		return err
	}
	return s.refreshSilences(r)
}

// getSilence answers GET /api/v1/silences/{id}.
func (s *Server) getSilence(w http.ResponseWriter, r *http.Request) {
	row, err := s.silenceByID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newSilenceView(row, s.now()))
}

// expireSilence answers DELETE /api/v1/silences/{id} (respond scope): the
// silence ends now and stays in history.
func (s *Server) expireSilence(w http.ResponseWriter, r *http.Request) {
	if _, err := s.allow(r, auth.Respond); err != nil {
		s.writeError(w, r, err)
		return
	}
	row, err := s.silenceByID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if row, err = s.endSilence(r, row); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newSilenceView(row, s.now()))
}

// endSilence makes a silence end now; it stays in history.
func (s *Server) endSilence(r *http.Request, row store.SilenceRow) (store.SilenceRow, error) {
	now := s.now()
	if !now.Before(row.EndsAt) {
		return row, errs.E(errs.Conflict, "silence %s already ended at %s", row.ID, row.EndsAt.Format(time.RFC3339))
	}
	row.EndsAt, row.UpdatedAt = now, now
	if row.StartsAt.After(now) {
		row.StartsAt = now
	}
	return row, s.saveSilence(r, row)
}

// refreshSilences hands the pager the silences now stored.
func (s *Server) refreshSilences(r *http.Request) error {
	rows, err := s.d.Store.Silences(r.Context(), s.now())
	if err != nil {
		return err
	}
	return s.d.Pager.SetSilences(r.Context(), pager.SilencesFrom(rows))
}
