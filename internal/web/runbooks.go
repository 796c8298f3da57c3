package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/runbook"
	"github.com/vigil-sre/vigil/internal/store"
)

func (s *Server) listRunbooks(w http.ResponseWriter, r *http.Request) {
	books := s.d.Runbooks.Books()
	out := make([]runbookAPIView, 0, len(books))
	for _, b := range books {
		out = append(out, newRunbookAPIView(b))
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getRunbook(w http.ResponseWriter, r *http.Request) {
	b, ok := s.d.Runbooks.Book(r.PathValue("id"))
	if !ok {
		s.writeError(w, r, errs.E(errs.NotFound, "no runbook %q", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, newRunbookAPIView(b))
}

// runRequest is the body of POST /api/v1/runbooks/{id}/runs.
type runRequest struct {
	Params  map[string]any `json:"params"`
	DryRun  bool           `json:"dry_run"`
	Confirm string         `json:"confirm"`
}

// stringParams accepts params as JSON strings, numbers, booleans or lists
// of strings, and hands them on as text for the runbook to type-check.
func stringParams(in map[string]any) (map[string]string, error) {
	out := make(map[string]string, len(in))
	for k, v := range in {
		switch x := v.(type) {
		case string:
			out[k] = x
		case bool:
			out[k] = strconv.FormatBool(x)
		case float64:
			out[k] = strconv.FormatFloat(x, 'f', -1, 64)
		case []any:
			items := make([]string, 0, len(x))
			for _, it := range x {
				s, ok := it.(string)
				if !ok || strings.Contains(s, ",") {
					return nil, errs.E(errs.Invalid, "params.%s: list items must be strings without commas", k)
				}
				items = append(items, s)
			}
			out[k] = strings.Join(items, ",")
		default:
			return nil, errs.E(errs.Invalid, "params.%s: must be a string, number, boolean or list of strings", k)
		}
	}
	return out, nil
}

// readRunRequest reads a run request's body (it may be empty) and its
// params; on a problem it answers and reports false.
func (s *Server) readRunRequest(w http.ResponseWriter, r *http.Request) (runRequest, map[string]string, bool) {
	var req runRequest
	if r.ContentLength != 0 {
		if err := decodeBody(w, r, 64<<10, &req); err != nil {
			s.writeError(w, r, err)
			return req, nil, false
		}
	}
	params, err := stringParams(req.Params)
	if err != nil {
		s.writeError(w, r, err)
		return req, nil, false
	}
	return req, params, true
}

// startRun answers POST /api/v1/runbooks/{id}/runs (operate): 201 with the
// run, 200 with the rendered steps for a dry run, 409 with the guard's
// reason when refused.
func (s *Server) startRun(w http.ResponseWriter, r *http.Request) {
	who, err := s.allow(r, auth.Operate)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	req, params, ok := s.readRunRequest(w, r)
	if !ok {
		return
	}
	row, err := s.d.Runbooks.Start(r.Context(), runbook.Request{Runbook: r.PathValue("id"), Params: params, DryRun: req.DryRun,
		Confirm: req.Confirm, Trigger: runbook.TriggerManual, TriggeredBy: who.Actor()})
	s.answerRun(w, r, row, req.DryRun, err)
}

// webhookRun answers POST /api/v1/runbooks/{id}/webhook, keyed by the
// runbook's own webhook key.
func (s *Server) webhookRun(w http.ResponseWriter, r *http.Request) {
	key, ok := auth.Bearer(r)
	if !ok {
		s.writeError(w, r, errs.E(errs.Unauthorized, "missing bearer key (the runbook's webhook key)"))
		return
	}
	req, params, ok := s.readRunRequest(w, r)
	if !ok {
		return
	}
	row, err := s.d.Runbooks.Webhook(r.Context(), r.PathValue("id"), key,
		runbook.Request{Params: params, DryRun: req.DryRun, Confirm: req.Confirm})
	s.answerRun(w, r, row, req.DryRun, err)
}

type runView struct {
	store.RunRow
	Steps []store.StepRow `json:"steps"`
}

type refusalBody struct {
	Error string       `json:"error"`
	Code  string       `json:"code"`
	Guard string       `json:"guard"`
	Run   store.RunRow `json:"run"`
}

func (s *Server) answerRun(w http.ResponseWriter, r *http.Request, row store.RunRow, dry bool, err error) {
	var refusal *runbook.Refusal
	switch {
	case errors.As(err, &refusal):
		writeJSON(w, http.StatusConflict, refusalBody{Error: refusal.Error(), Code: string(errs.Conflict), Guard: refusal.Guard, Run: refusal.Run})
		return
	case err != nil:
		s.writeError(w, r, err)
		return
	}
	status := http.StatusCreated
	if dry {
		status = http.StatusOK
	}
	row, steps, err := s.d.Runbooks.Get(r.Context(), row.ID)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, runView{RunRow: row, Steps: nonNilSteps(steps)})
}

func nonNilSteps(s []store.StepRow) []store.StepRow {
	if s == nil {
		return []store.StepRow{}
	}
	return s
}

// runStatuses is the status= filter of GET /api/v1/runs; open means not
// finished yet.
func runStatuses() StatusFilter {
	return StatusFilter{Param: "status", Known: store.RunStatuses(),
		Aliases: map[string][]string{"open": {store.RunPending, store.RunAwaiting, store.RunRunning}}}
}

func (s *Server) listRuns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.RunFilter{Runbook: q.Get("runbook")}
	var err error
	if f.Statuses, err = runStatuses().Parse(q.Get("status")); err != nil {
		s.writeError(w, r, err)
		return
	}
	if a := q.Get("alert"); a != "" {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id <= 0 {
			s.writeError(w, r, errs.E(errs.Invalid, "alert must be an alert id, not %q", a))
			return
		}
		f.AlertID = id
	}
	if f.Limit, err = limitParam(r, 100, 1000); err != nil {
		s.writeError(w, r, err)
		return
	}
	runs, err := s.d.Store.Runs(r.Context(), f)
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "listing runs"))
		return
	}
	if runs == nil {
		runs = []store.RunRow{}
	}
	writeJSON(w, http.StatusOK, runs)
}

func (s *Server) getRun(w http.ResponseWriter, r *http.Request) {
	row, steps, err := s.d.Runbooks.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, runView{RunRow: row, Steps: nonNilSteps(steps)})
}

// runEvents streams a run as server-sent events: a "snapshot" with the run
// and its steps as stored, then "run" and "step" events as they happen, and
// "end". A finished run gets its snapshot and "end" at once.
func (s *Server) runEvents(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	events, cancel := s.d.Runbooks.Subscribe(id)
	defer cancel()
	row, steps, err := s.d.Runbooks.Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	release, err := s.takeStream(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	defer release()
	stream := startSSE(w)
	send := func(event string, v any) {
		if err := stream.send(event, v); err != nil && r.Context().Err() == nil {
			s.d.Log.Error("sending a run event failed", "run", id, "event", event, "err", err)
		}
	}
	send("snapshot", runView{RunRow: row, Steps: nonNilSteps(steps)})
	keepalive := time.NewTicker(sseKeepalive)
	defer keepalive.Stop()
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				row, _, err := s.d.Runbooks.Get(r.Context(), id)
				if err == nil {
					send("end", row)
				}
				return
			}
			if ev.Type == "end" {
				continue // sent from the store once the channel closes
			}
			send(ev.Type, ev)
		case <-keepalive.C:
			_ = stream.keepalive()
		case <-r.Context().Done():
			return
		case <-s.streams: // shutting down
			return
		}
	}
}

// approveRun answers POST /api/v1/runs/{id}/approve (operate).
func (s *Server) approveRun(w http.ResponseWriter, r *http.Request) { s.answerRunAPI(w, r, false) }

// denyRun answers POST /api/v1/runs/{id}/deny (operate): the run is
// canceled, its reason naming who denied it.
func (s *Server) denyRun(w http.ResponseWriter, r *http.Request) { s.answerRunAPI(w, r, true) }

func (s *Server) answerRunAPI(w http.ResponseWriter, r *http.Request, deny bool) {
	who, err := s.allow(r, auth.Operate)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body struct {
		Comment string `json:"comment"`
	}
	if r.ContentLength != 0 {
		if err := decodeBody(w, r, 4<<10, &body); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	row, err := s.decideRun(r, who, r.PathValue("id"), body.Comment, deny)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, row)
}

func (s *Server) listAudit(w http.ResponseWriter, r *http.Request) {
	var since time.Time
	t, err := s.ahead().Parse("since", r.URL.Query().Get("since"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if t != nil {
		since = *t
	}
	limit, err := limitParam(r, 100, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rows, err := s.d.Store.Audit(r.Context(), since, limit)
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "reading the audit log"))
		return
	}
	if rows == nil {
		rows = []store.AuditRow{}
	}
	writeJSON(w, http.StatusOK, rows)
}
