package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/auth"
	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/store"
)

// alertsPageLimit is how many alerts the alerts page lists, and how many
// one bulk action may change.
const alertsPageLimit = 200

// alertsCounted is how far the alerts page counts matches; past it the page
// says "more than".
const alertsCounted = 1000

// alertFilter is the alerts page's filter, as its form sends it.
type alertFilter struct {
	Status, Service, Severity, Text string
}

// alertPageStatuses are the alerts page's status filters, in menu order.
func alertPageStatuses() []string {
	return []string{"open", "firing", "acknowledged", "silenced", "inhibited", "resolved", "all"}
}

// severities are the severities alerts may have, worst first.
func severities() []string { return []string{"critical", "error", "warning", "info"} }

func readAlertFilter(q url.Values) (alertFilter, store.AlertFilter, error) {
	f := alertFilter{Status: q.Get("status"), Service: q.Get("service"), Severity: q.Get("severity"), Text: strings.TrimSpace(q.Get("q"))}
	sf := store.AlertFilter{Limit: alertsPageLimit, Service: f.Service, Severity: f.Severity, Text: f.Text, CountUpTo: alertsCounted}
	switch f.Status {
	case "", "open":
		f.Status = "open"
		sf.Status = []string{string(alert.Firing), string(alert.Acknowledged)}
	case string(alert.Firing), string(alert.Acknowledged), string(alert.Resolved):
		sf.Status = []string{f.Status}
	case store.SuppressedSilenced, store.SuppressedInhibited:
		sf.Suppressed = f.Status
	case "all":
	default:
		return f, sf, errs.E(errs.Invalid, "status must be one of %s, not %q", strings.Join(alertPageStatuses(), ", "), f.Status)
	}
	if f.Severity != "" && !slices.Contains(severities(), f.Severity) {
		return f, sf, errs.E(errs.Invalid, "severity must be one of %s, not %q", strings.Join(severities(), ", "), f.Severity)
	}
	if len(f.Text) > 200 {
		return f, sf, errs.E(errs.Invalid, "the search text is longer than 200 characters")
	}
	return f, sf, nil
}

// Query is the filter as a query string, for links and coming back.
func (f alertFilter) Query() string {
	v := url.Values{}
	for k, x := range map[string]string{"status": f.Status, "service": f.Service, "severity": f.Severity, "q": f.Text} {
		if x != "" {
			v.Set(k, x)
		}
	}
	return v.Encode()
}

// Narrowed reports whether anything but the status narrows the list.
func (f alertFilter) Narrowed() bool { return f.Service != "" || f.Severity != "" || f.Text != "" }

type alertsPage struct {
	Page
	Filter     alertFilter
	Statuses   []string
	Services   []string
	Severities []string
	Alerts     []alertRowView
	Total      int
	Shown      int
	Open       int  // rows that can be acknowledged or resolved
	Capped     bool // more than Total match; counting stopped
}

// alertRowView is an alert in the list, with why it is held back, if it is.
type alertRowView struct {
	alertView
	Suppressed string
}

// Muted is the word for how an alert is held back: silenced, inhibited or
// in maintenance.
func (v alertRowView) Muted() string {
	switch {
	case v.Suppressed == "":
		return ""
	case v.Suppressed == "inhibited":
		return "inhibited"
	case strings.HasPrefix(v.Suppressed, "in maintenance"):
		return "maintenance"
	}
	return "silenced"
}

// alertsPage renders /alerts: alerts newest first, open ones unless the
// filter says otherwise, with boxes to acknowledge or resolve several.
func (s *Server) alertsPage(w http.ResponseWriter, r *http.Request) {
	f, sf, err := readAlertFilter(r.URL.Query())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := alertsPage{Page: s.page(r, "Alerts", "alerts"), Filter: f, Statuses: alertPageStatuses(), Severities: severities()}
	for _, sv := range s.d.Config().Services {
		p.Services = append(p.Services, sv.ID)
	}
	rows, total, err := s.d.Store.Alerts(r.Context(), sf)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var open []int64
	for _, a := range rows {
		if a.Status != string(alert.Resolved) {
			open = append(open, a.ID)
		}
	}
	for _, a := range rows {
		v := alertRowView{alertView: newAlertView(a)}
		if a.Status != string(alert.Resolved) {
			v.Suppressed = a.Suppression.Reason()
		}
		p.Alerts = append(p.Alerts, v)
	}
	p.Total, p.Shown, p.Open = total, len(rows), len(open)
	if total > alertsCounted {
		p.Total, p.Capped = alertsCounted, true
	}
	s.render(w, r, "alerts.html", p)
}

// alertsBulk answers POST /alerts/bulk: acknowledge or resolve the alerts
// ticked (id=...&action=ack|resolve), or the one whose row button was
// pressed (ack=ID), then back to the list as it was filtered.
func (s *Server) alertsBulk(w http.ResponseWriter, r *http.Request, p auth.Principal) {
	verb, raw := r.PostForm.Get("action"), r.PostForm["id"]
	if one := r.PostForm.Get("ack"); one != "" {
		verb, raw = "ack", []string{one}
	}
	if verb != "ack" && verb != "resolve" {
		s.pageError(w, r, errs.E(errs.Invalid, "action must be ack or resolve, not %q", verb))
		return
	}
	if len(raw) == 0 {
		s.pageError(w, r, errs.E(errs.Invalid, "no alerts were selected; tick the boxes of the alerts to %s", verb))
		return
	}
	if len(raw) > alertsPageLimit {
		s.pageError(w, r, errs.E(errs.Invalid, "at most %d alerts at once", alertsPageLimit))
		return
	}
	ids := make([]int64, 0, len(raw))
	for _, v := range raw {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.pageError(w, r, errs.E(errs.Invalid, "alert id must be a positive number, not %q", v))
			return
		}
		ids = append(ids, id)
	}
	done, skipped := 0, 0
	for _, id := range ids {
		var err error
		if verb == "ack" {
			_, err = s.d.Pager.Acknowledge(r.Context(), id, p.Actor())
		} else {
			_, err = s.d.Pager.Resolve(r.Context(), id, p.Actor())
		}
		switch c := errs.CodeOf(err); {
		case err == nil:
			done++
		case c == errs.Conflict || c == errs.NotFound:
			skipped++ // someone else got there first; say so, go on
		default:
			s.pageError(w, r, err)
			return
		}
	}
	s.notice(w, r, bulkNotice(verb, done, skipped))
	f, _, _ := readAlertFilter(mustQuery(r.PostForm.Get("back")))
	http.Redirect(w, r, "/alerts?"+f.Query(), http.StatusSeeOther)
}

func bulkNotice(verb string, done, skipped int) string {
	did := map[string]string{"ack": "Acknowledged", "resolve": "Resolved"}[verb]
	msg := fmt.Sprintf("%s %d alert%s.", did, done, plural(done))
	if skipped > 0 {
		was := map[string]string{"ack": "already acknowledged or resolved", "resolve": "already resolved"}[verb]
		msg += fmt.Sprintf(" %d %s %s.", skipped, map[bool]string{true: "was", false: "were"}[skipped == 1], was)
	}
	return msg
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// mustQuery reads a query string, empty when it does not parse: it only
// says where to go back to.
func mustQuery(s string) url.Values {
	v, _ := url.ParseQuery(s)
	return v
}
