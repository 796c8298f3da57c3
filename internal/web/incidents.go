package web

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/incident/chatlog"
	"github.com/vigil-sre/vigil/internal/report/oncall"
	"github.com/vigil-sre/vigil/internal/report/postmortem"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/zone"
)

func incidentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.E(errs.Invalid, "incident id must be a positive number, not %q", r.PathValue("id"))
	}
	return id, nil
}

// actor names who did something: the signed-in person, or the token and
// the person its caller says they are.
func actor(who auth.Principal, by string) string { return who.ActorAs(by) }

type declareBody struct {
	Title     string            `json:"title"`
	Severity  string            `json:"severity"`
	Services  []string          `json:"services"`
	Summary   string            `json:"summary"`
	Roles     map[string]string `json:"roles"`
	StartedAt string            `json:"started_at"`
	AlertIDs  []int64           `json:"alert_ids"`
	By        string            `json:"by"`
}

func (s *Server) declareIncident(w http.ResponseWriter, r *http.Request) {
	who, err := s.allow(r, auth.Respond)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b declareBody
	if err := decodeBody(w, r, 64<<10, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	started, err := s.past().Parse("started_at", b.StartedAt)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.d.Incidents.Declare(r.Context(), incident.Declaration{Title: b.Title, Severity: b.Severity, Services: b.Services,
		Summary: b.Summary, Roles: b.Roles, StartedAt: started, AlertIDs: b.AlertIDs, By: actor(who, b.By)})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeIncident(w, r, http.StatusCreated, in.ID)
}

type incidentView struct {
	store.IncidentRow
	Metrics     incident.Metrics      `json:"metrics"`
	Alerts      []int64               `json:"alerts"`
	ActionItems []store.ActionItem    `json:"action_items"`
	Timeline    []store.TimelineEntry `json:"timeline"`
}

func (s *Server) writeIncident(w http.ResponseWriter, r *http.Request, status int, id int64) {
	in, err := s.d.Incidents.Get(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tl, err := s.d.Incidents.Timeline(r.Context(), id)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	alerts, err := s.d.Store.IncidentAlerts(r.Context(), id)
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "reading linked alerts"))
		return
	}
	items, err := s.d.Store.ActionItems(r.Context(), id)
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "reading action items"))
		return
	}
	v := incidentView{IncidentRow: in, Metrics: incident.MetricsOf(in), Alerts: alerts, ActionItems: items, Timeline: tl}
	if v.Alerts == nil {
		v.Alerts = []int64{}
	}
	if v.ActionItems == nil {
		v.ActionItems = []store.ActionItem{}
	}
	if v.Timeline == nil {
		v.Timeline = []store.TimelineEntry{}
	}
	writeJSON(w, status, v)
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeIncident(w, r, http.StatusOK, id)
}

// incidentStatuses is the ?status= of the incident list: open is every
// status but resolved, all is every status.
func incidentStatuses() StatusFilter {
	open := slices.DeleteFunc(slices.Clone(incident.Statuses), func(st string) bool { return st == store.IncidentResolved })
	return StatusFilter{Param: "status", Known: incident.Statuses,
		Aliases: map[string][]string{"open": open, "all": incident.Statuses}}
}

// listIncidents answers GET /api/v1/incidents?status=&service=&limit=,
// the most recent impact first.
func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.IncidentFilter{Service: q.Get("service")}
	var err error
	if f.Status, err = incidentStatuses().Parse(q.Get("status")); err != nil {
		s.writeError(w, r, err)
		return
	}
	if f.Limit, err = limitParam(r, 100, 1000); err != nil {
		s.writeError(w, r, err)
		return
	}
	ins, err := s.d.Incidents.List(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if ins == nil {
		ins = []store.IncidentRow{}
	}
	writeJSON(w, http.StatusOK, ins)
}

func (s *Server) incidentStatus(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Status string `json:"status"`
		Note   string `json:"note"`
		At     string `json:"at"`
		By     string `json:"by"`
	}
	who, id, ok := s.incidentWrite(w, r, 16<<10, &b)
	if !ok {
		return
	}
	at, err := s.past().Parse("at", b.At)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if _, err := s.d.Incidents.SetStatus(r.Context(), id, b.Status, b.Note, actor(who, b.By), at); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeIncident(w, r, http.StatusOK, id)
}

func (s *Server) incidentRole(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Role   string `json:"role"`
		Person string `json:"person"`
		By     string `json:"by"`
	}
	who, id, ok := s.incidentWrite(w, r, 4<<10, &b)
	if !ok {
		return
	}
	if _, err := s.d.Incidents.SetRole(r.Context(), id, b.Role, b.Person, actor(who, b.By)); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeIncident(w, r, http.StatusOK, id)
}

func (s *Server) incidentNote(w http.ResponseWriter, r *http.Request) {
	var b struct {
		Text string `json:"text"`
		At   string `json:"at"`
		By   string `json:"by"`
	}
	who, id, ok := s.incidentWrite(w, r, 64<<10, &b)
	if !ok {
		return
	}
	at, err := s.past().Parse("at", b.At)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	e, err := s.d.Incidents.Note(r.Context(), id, b.Text, actor(who, b.By), at)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, e)
}

// incidentImport answers POST /api/v1/incidents/{id}/import?format=log&date=2021-09-04&tz=UTC
// with the chat as the body.
func (s *Server) incidentImport(w http.ResponseWriter, r *http.Request) {
	who, id, ok := s.incidentWrite(w, r, 0, nil)
	if !ok {
		return
	}
	q := r.URL.Query()
	im := incident.Import{Format: q.Get("format"), By: who.Actor()}
	if im.Format == "" {
		im.Format = "log"
	}
	loc := time.UTC
	if tz := q.Get("tz"); tz != "" {
		l, err := time.LoadLocation(tz)
		if err != nil {
			s.writeError(w, r, errs.E(errs.Invalid, "tz: unknown time zone %q", tz))
			return
		}
		loc = l
	}
	im.Loc = loc
	if d := q.Get("date"); d != "" {
		day, err := chatlog.ParseDate(d, loc)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		im.Day = day
	}
	body, err := readBody(w, r, 16<<20)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.d.Incidents.ImportChat(r.Context(), id, io.Reader(bytes.NewReader(body)), im)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}

// incidentWrite authorises a change to the incident the path names and,
// when body is not nil, reads the JSON body (at most limit bytes) into it.
// On a problem it answers and reports false.
func (s *Server) incidentWrite(w http.ResponseWriter, r *http.Request, limit int64, body any) (auth.Principal, int64, bool) {
	who, err := s.allow(r, auth.Respond)
	if err == nil {
		var id int64
		if id, err = incidentID(r); err == nil && body != nil {
			err = decodeBody(w, r, limit, body)
		}
		if err == nil {
			return who, id, true
		}
	}
	s.writeError(w, r, err)
	return auth.Principal{}, 0, false
}

// incidentMetrics answers GET /api/v1/incidents/metrics?since=&until=&service=:
// each incident's durations, and MTTA and MTTR per service.
func (s *Server) incidentMetrics(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.IncidentFilter{Service: q.Get("service"), Limit: 1000}
	for field, dst := range map[string]*time.Time{"since": &f.Since, "until": &f.Until} {
		t, err := s.ahead().Parse(field, q.Get(field))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if t != nil {
			*dst = *t
		}
	}
	ins, err := s.d.Incidents.List(r.Context(), f)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := struct {
		Incidents []incident.Metrics `json:"incidents"`
		Summary   []incident.Summary `json:"summary"`
	}{Incidents: []incident.Metrics{}, Summary: incident.Summarize(ins)}
	for _, in := range ins {
		out.Incidents = append(out.Incidents, incident.MetricsOf(in))
	}
	writeJSON(w, http.StatusOK, out)
}

type deployBody struct {
	Service     string `json:"service"`
	Version     string `json:"version"`
	Environment string `json:"environment"`
	Artifact    string `json:"artifact"`
	By          string `json:"by"`
	At          string `json:"at"`
	Notes       string `json:"notes"`
}

// recordDeploy answers POST /api/v1/deploys (operate).
func (s *Server) recordDeploy(w http.ResponseWriter, r *http.Request) {
	who, err := s.allow(r, auth.Operate)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b deployBody
	if err := decodeBody(w, r, 16<<10, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	var problems []string
	if b.Service == "" {
		problems = append(problems, "service: is required")
	}
	if b.Version == "" {
		problems = append(problems, "version: is required")
	}
	if b.Environment == "" {
		problems = append(problems, "environment: is required")
	}
	at, err := s.past().Parse("at", b.At)
	if err != nil {
		problems = append(problems, errs.Message(err))
	}
	if len(problems) > 0 {
		s.writeError(w, r, errs.E(errs.Invalid, "%s", strings.Join(problems, "; ")))
		return
	}
	d := store.DeployRow{Service: b.Service, Version: b.Version, Environment: b.Environment, Artifact: b.Artifact,
		By: actor(who, b.By), At: s.now(), Notes: b.Notes}
	if at != nil {
		d.At = *at
	}
	d, err = s.d.Store.RecordDeploy(r.Context(), d)
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "storing the deploy"))
		return
	}
	writeJSON(w, http.StatusCreated, d)
}

// listDeploys answers GET /api/v1/deploys?service=&since=&until=&limit=,
// newest first.
func (s *Server) listDeploys(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, until := time.Time{}, s.now().Add(time.Nanosecond)
	for field, dst := range map[string]*time.Time{"since": &since, "until": &until} {
		t, err := s.ahead().Parse(field, q.Get(field))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if t != nil {
			*dst = *t
		}
	}
	limit, err := limitParam(r, 100, 1000)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	ds, err := s.d.Store.DeployPage(r.Context(), q.Get("service"), since, until, limit)
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "listing deploys"))
		return
	}
	if ds == nil {
		ds = []store.DeployRow{}
	}
	writeJSON(w, http.StatusOK, ds)
}

// postmortem answers GET /api/v1/incidents/{id}/postmortem?format=md|html&tz=.
func (s *Server) postmortem(w http.ResponseWriter, r *http.Request) {
	id, err := incidentID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	format, loc, err := s.docParams(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	data, err := s.d.Incidents.Postmortem(r.Context(), id, loc)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tmpl, err := postmortem.Parse(s.d.Config().Global.PostmortemTemplate)
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "%v", err))
		return
	}
	var out bytes.Buffer
	if err := postmortem.Render(&out, tmpl, data, format); err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "%v", err))
		return
	}
	writeDocument(w, format, out.Bytes())
}

// editPostmortem answers PUT /api/v1/incidents/{id}/postmortem with the
// sections people write: {"root_causes": "...", "went_well": "..."}.
func (s *Server) editPostmortem(w http.ResponseWriter, r *http.Request) {
	var fields map[string]string
	who, id, ok := s.incidentWrite(w, r, 256<<10, &fields)
	if !ok {
		return
	}
	if _, err := s.d.Incidents.EditPostmortem(r.Context(), id, fields, who.Actor()); err != nil {
		s.writeError(w, r, err)
		return
	}
	s.writeIncident(w, r, http.StatusOK, id)
}

// saveActionItem answers POST /api/v1/incidents/{id}/action_items: a new
// item, or an update when the body has its id.
func (s *Server) saveActionItem(w http.ResponseWriter, r *http.Request) {
	var b struct {
		ID       int64    `json:"id"`
		Item     string   `json:"item"`
		Type     string   `json:"type"`
		Owner    string   `json:"owner"`
		Tracking string   `json:"tracking"`
		Status   string   `json:"status"`
		Due      string   `json:"due"`
		Links    []string `json:"links"`
	}
	who, id, ok := s.incidentWrite(w, r, 16<<10, &b)
	if !ok {
		return
	}
	due, err := s.ahead().Parse("due", b.Due)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	a := store.ActionItem{ID: b.ID, IncidentID: id, Item: b.Item, Type: b.Type, Owner: b.Owner, Tracking: b.Tracking, Status: b.Status, Links: b.Links}
	if due != nil {
		a.Due = *due
	}
	status := http.StatusCreated
	if b.ID != 0 {
		status = http.StatusOK
	}
	a, err = s.d.Incidents.SaveActionItem(r.Context(), a, who.Actor())
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			err = errs.E(errs.NotFound, "no action item %d", b.ID)
		}
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, status, a)
}

// oncallReport answers GET /api/v1/reports/oncall?person=&from=&to=&tz=&format=json|md.
func (s *Server) oncallReport(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	o := oncall.Options{Person: q.Get("person")}
	var problems []string
	if o.Person == "" {
		problems = append(problems, "person: is required")
	} else if _, ok := s.d.Directory().Person(o.Person); !ok {
		problems = append(problems, fmt.Sprintf("person: unknown person %q", o.Person))
	}
	for field, dst := range map[string]*time.Time{"from": &o.From, "to": &o.To} {
		t, err := s.ahead().Parse(field, q.Get(field))
		switch {
		case err != nil:
			problems = append(problems, errs.Message(err))
		case t == nil:
			problems = append(problems, field+": is required (RFC 3339)")
		default:
			*dst = *t
		}
	}
	// Off hours and times are the person's own unless tz says otherwise.
	o.Loc, o.Now = zone.Of(s.d.Config(), o.Person), s.now()
	if tz := q.Get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			problems = append(problems, fmt.Sprintf("tz: unknown time zone %q", tz))
		} else {
			o.Loc = loc
		}
	}
	if len(problems) == 0 && !o.To.After(o.From) {
		problems = append(problems, "to: must be after from")
	}
	if len(problems) > 0 {
		sort.Strings(problems)
		s.writeError(w, r, errs.E(errs.Invalid, "%s", strings.Join(problems, "; ")))
		return
	}
	rep, err := oncall.Build(r.Context(), s.d.Store, o)
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Internal, err, "building the on-call log"))
		return
	}
	if q.Get("format") == "md" {
		w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_ = oncall.Markdown(w, rep, o.Loc)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
