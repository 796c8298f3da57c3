package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// alertView is an alert as the API shows it.
type alertView struct {
	ID          int64             `json:"id"`
	Key         string            `json:"dedup_key"`
	Source      string            `json:"source"`
	Integration string            `json:"integration,omitempty"`
	Status      string            `json:"status"`
	Severity    string            `json:"severity"`
	Summary     string            `json:"summary"`
	Service     string            `json:"service,omitempty"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Links       []alert.Link      `json:"links"`
	Runbook     string            `json:"runbook,omitempty"`
	Occurrences int               `json:"occurrences"`
	FirstSeen   time.Time         `json:"first_seen"`
	LastSeen    time.Time         `json:"last_seen"`
	AckedAt     *time.Time        `json:"acknowledged_at"`
	AckedBy     string            `json:"acknowledged_by,omitempty"`
	ResolvedAt  *time.Time        `json:"resolved_at"`
	ResolvedBy  string            `json:"resolved_by,omitempty"`
	// What holds an open alert back from paging now, when anything does.
	SilencedBy   []string `json:"silenced_by,omitempty"`
	Maintenance  string   `json:"maintenance,omitempty"`
	Inhibited    bool     `json:"inhibited,omitempty"`
	SuppressedBy string   `json:"suppressed_by,omitempty"` // the first of the three, as the alert's log says it

	held string // silenced, maintenance or inhibited
}

func newAlertView(a store.AlertRow) alertView {
	v := alertView{
		ID: a.ID, Key: sourceKey(a), Source: a.Source, Integration: a.Integration, Status: a.Status,
		Severity: a.Severity, Summary: a.Summary, Service: a.Service, Labels: a.Labels, Annotations: a.Annotations,
		Links: a.Links, Runbook: a.Runbook, Occurrences: a.Occurrences, FirstSeen: a.FirstSeen, LastSeen: a.LastSeen,
		AckedBy: a.AckedBy, ResolvedBy: a.ResolvedBy,
	}
	if v.Labels == nil {
		v.Labels = map[string]string{}
	}
	if v.Annotations == nil {
		v.Annotations = map[string]string{}
	}
	if v.Links == nil {
		v.Links = []alert.Link{}
	}
	if !a.AckedAt.IsZero() {
		v.AckedAt = &a.AckedAt
	}
	if !a.ResolvedAt.IsZero() {
		v.ResolvedAt = &a.ResolvedAt
	}
	if alert.Status(a.Status).Open() {
		s := a.Suppression
		v.SilencedBy, v.Maintenance, v.Inhibited, v.SuppressedBy, v.held = s.SilencedBy, s.Maintenance, s.Inhibited, s.Reason(), s.Kind()
	}
	return v
}

// Held is one word for what holds the alert back, for pages.
func (v alertView) Held() string { return v.held }

// sourceKey is the dedup key as its source knows it: the stored key is
// scoped by source and integration, and either may itself hold a '/'.
func sourceKey(a store.AlertRow) string {
	return strings.TrimPrefix(a.DedupKey, a.Source+"/"+a.Integration+"/")
}

type alertLogView struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"`
	Actor  string    `json:"actor"`
	Detail string    `json:"detail,omitempty"`
}

// alertStatuses is the ?status= of the alert list: open is firing and
// acknowledged, all is every status.
func alertStatuses() StatusFilter {
	firing, acked, resolved := string(alert.Firing), string(alert.Acknowledged), string(alert.Resolved)
	return StatusFilter{Param: "status", Known: []string{firing, acked, resolved},
		Aliases: map[string][]string{"open": {firing, acked}, "all": {firing, acked, resolved}}}
}

// alertsCountedUpTo is how far the alert list counts its matches unless
// asked for an exact count: as far as anyone reads a total ("10000+"), and
// Elasticsearch's default for the same trade. Counting to 100,000 on
// Postgres, right after a burst of new alerts and before autovacuum marks
// their pages visible, read the table as well as the index and took most of
// the list's 100 ms.
const alertsCountedUpTo = 10_000

// listAlerts answers GET /api/v1/alerts?status=firing,acknowledged&service=&severity=&q=&held=&limit=&offset=&count=.
// X-Total-Count is exact up to alertsCountedUpTo matches; past that it says
// alertsCountedUpTo with X-Total-Count-Relation gte, unless count=exact asks
// for every match to be counted: with a million open alerts, counting them
// all is most of a request's time.
func (s *Server) listAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.AlertFilter{Service: q.Get("service"), Severity: q.Get("severity"), Text: strings.TrimSpace(q.Get("q"))}
	var err error
	if f.Status, err = alertStatuses().Parse(q.Get("status")); err != nil {
		s.writeError(w, r, err)
		return
	}
	if f.Severity != "" && !slices.Contains(severities(), f.Severity) {
		s.writeError(w, r, errs.E(errs.Invalid, "severity: %q is not one of %s", shortValue(f.Severity), strings.Join(severities(), ", ")))
		return
	}
	if len(f.Text) > 200 {
		s.writeError(w, r, errs.E(errs.Invalid, "q: the search text is longer than 200 characters"))
		return
	}
	switch held := q.Get("held"); held {
	case "", store.SuppressedSilenced, store.SuppressedInhibited:
		f.Suppressed = held
	default:
		s.writeError(w, r, errs.E(errs.Invalid, "held: %q is not silenced or inhibited", shortValue(held)))
		return
	}
	if f.Limit, err = limitParam(r, 100, 1000); err != nil {
		s.writeError(w, r, err)
		return
	}
	if f.Offset, err = offsetParam(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch count := q.Get("count"); count {
	case "":
		f.CountUpTo = alertsCountedUpTo
	case "exact":
	default:
		s.writeError(w, r, errs.E(errs.Invalid, "count: %q is not exact (leave it out to count up to %d)", shortValue(count), alertsCountedUpTo))
		return
	}
	rows, total, err := s.d.Store.Alerts(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := make([]alertView, 0, len(rows))
	for _, a := range rows {
		out = append(out, newAlertView(a))
	}
	relation := "eq"
	if f.CountUpTo > 0 && total > f.CountUpTo {
		total, relation = f.CountUpTo, "gte"
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	w.Header().Set("X-Total-Count-Relation", relation)
	writeJSON(w, http.StatusOK, out)
}

// getAlert answers GET /api/v1/alerts/{id} with the alert and its log.
func (s *Server) getAlert(w http.ResponseWriter, r *http.Request) {
	id, err := alertID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a, log, err := s.alertWithLog(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	runs, err := s.d.Store.Runs(r.Context(), store.RunFilter{AlertID: id, Limit: 100})
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "reading the alert's runbook runs"))
		return
	}
	if runs == nil {
		runs = []store.RunRow{}
	}
	out := struct {
		alertView
		Log  []alertLogView `json:"log"`
		Runs []store.RunRow `json:"runs"`
	}{alertView: newAlertView(a), Log: log, Runs: runs}
	writeJSON(w, http.StatusOK, out)
}

// alertWithLog reads an alert and its log, oldest entry first.
func (s *Server) alertWithLog(r *http.Request, id int64) (store.AlertRow, []alertLogView, error) {
	a, err := s.d.Store.Alert(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		err = errs.E(errs.NotFound, "no alert %d", id)
	}
	if err != nil {
		return a, nil, err
	}
	logs, err := s.d.Store.AlertLogs(r.Context(), id)
	if err != nil {
		return a, nil, err
	}
	out := make([]alertLogView, 0, len(logs))
	for _, l := range logs {
		out = append(out, alertLogView{At: l.At, Kind: l.Kind, Actor: l.Actor, Detail: l.Detail})
	}
	return a, out, nil
}

// ackAlert answers POST /api/v1/alerts/{id}/ack.
func (s *Server) ackAlert(w http.ResponseWriter, r *http.Request) {
	s.operateAlert(w, r, alert.Acknowledge)
}

// resolveAlert answers POST /api/v1/alerts/{id}/resolve.
func (s *Server) resolveAlert(w http.ResponseWriter, r *http.Request) {
	s.operateAlert(w, r, alert.Resolve)
}

func (s *Server) operateAlert(w http.ResponseWriter, r *http.Request, a alert.Action) {
	id, err := alertID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	caller, err := s.allow(r, auth.Respond)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var body struct {
		By string `json:"by"`
	}
	if r.ContentLength != 0 {
		if err := decodeBody(w, r, 4<<10, &body); err != nil {
			if errs.CodeOf(err) == errs.Invalid {
				err = errs.E(errs.Invalid, "%v (expected {\"by\": \"name\"})", err)
			}
			s.writeError(w, r, err)
			return
		}
	}
	who := caller.ActorAs(body.By)
	if a == alert.Acknowledge {
		_, err = s.d.Pager.Acknowledge(r.Context(), id, who)
	} else {
		_, err = s.d.Pager.Resolve(r.Context(), id, who)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.getAlert(w, r)
}

type notificationView struct {
	ID          int64      `json:"id"`
	CreatedAt   time.Time  `json:"created_at"`
	Kind        string     `json:"kind"`
	Destination string     `json:"destination"`
	Status      string     `json:"status"`
	Attempts    int        `json:"attempts"`
	NextAttempt *time.Time `json:"next_attempt_at,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	SentAt      *time.Time `json:"sent_at"`
	Title       string     `json:"title"`
}

// alertNotifications answers GET /api/v1/alerts/{id}/notifications: who was
// told what, when, and whether it arrived.
func (s *Server) alertNotifications(w http.ResponseWriter, r *http.Request) {
	id, err := alertID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.notifications(r, id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// notifications is the delivery history of alert id, oldest first.
func (s *Server) notifications(r *http.Request, id int64) ([]notificationView, error) {
	ns, err := s.d.Store.AlertNotifications(r.Context(), id)
	if err != nil {
		return nil, err
	}
	out := make([]notificationView, 0, len(ns))
	for _, n := range ns {
		v := notificationView{ID: n.ID, CreatedAt: n.CreatedAt, Kind: n.Kind, Destination: n.Destination,
			Status: n.Status, Attempts: n.Attempts, LastError: n.LastError}
		if n.Status == store.NotifyPending && !n.NextAttemptAt.IsZero() {
			v.NextAttempt = &n.NextAttemptAt
		}
		if !n.SentAt.IsZero() {
			v.SentAt = &n.SentAt
		}
		var m struct {
			Title string `json:"title"`
		}
		if json.Unmarshal(n.Message, &m) == nil {
			v.Title = m.Title
		}
		out = append(out, v)
	}
	return out, nil
}

func alertID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.Invalid, "alert id must be a positive number, not %q", r.PathValue("id"))
	}
	return id, nil
}
