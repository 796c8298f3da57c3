package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/vigil-sre/vigil/internal/auth"
)

// Page is what the data of every browser page embeds: who is looking, the
// time in their zone, navigation and the CSRF token. Templates reach it
// through the layout blocks (head, header, footer) and these helpers:
//
//	{{.Can "respond"}}             may the viewer act with this scope?
//	{{.Disabled "respond"}}        disabled and aria-describedby on a button they may not press
//	{{template "why" (.Need "respond")}}  the reason, next to that button
//	{{template "csrf" $}}          the hidden CSRF field every form carries
//	{{$.Time .At}}                 <time> in the viewer's zone, UTC on hover
type Page struct {
	Title string
	// Nav is the id of the navigation entry this page belongs to.
	Nav     string
	Now     time.Time
	Viewer  *Viewer
	Refresh int // seconds between reloads; 0 for none (pages with forms)
	Version string
	// Notice is a short confirmation after an action ("Acknowledged 3
	// alerts"), set by the action with s.notice before it redirects.
	Notice string
	loc    *time.Location
}

// Viewer is the principal a page is shown to.
type Viewer struct {
	ID     string // person id, or empty for a token
	Name   string
	Scope  auth.Scope
	Method auth.Method
	CSRF   string
}

// page builds the Page of r for a page of nav; the principal comes from the
// wrapper that resolved it.
func (s *Server) page(r *http.Request, title, nav string) Page {
	p := Page{Title: title, Nav: nav, Now: s.now(), Version: s.d.Version}
	if n := s.cookie(r, noticeCookieName); n != "" {
		p.Notice, _ = url.QueryUnescape(n)
	}
	p.loc = s.zoneOf("")
	if v, ok := r.Context().Value(principalKey{}).(resolved); ok && v.err == nil {
		pr := v.p
		p.Viewer = &Viewer{ID: pr.Person, Name: pr.Name, Scope: pr.Scope, Method: pr.Method, CSRF: pr.CSRF}
		p.loc = s.zoneOf(pr.Person)
	}
	return p
}

// zoneOf is the zone a person sees times in: theirs, else global.timezone
// (also for "", a token or someone the config does not know). Forms read
// the times people type in it.
func (s *Server) zoneOf(person string) *time.Location {
	people := s.d.People()
	if pe, ok := people.Person(person); ok {
		return pe.Loc
	}
	return people.Location(people.Zone())
}

// noticeCookieName carries an action's confirmation to the page it
// redirects to, once.
const noticeCookieName = "vigil_notice"

// notice has the next page this browser shows say text: an action calls it
// before redirecting (POST, then 303 to a page that shows the result).
func (s *Server) notice(w http.ResponseWriter, r *http.Request, text string) {
	s.setCookie(w, r, noticeCookieName, url.QueryEscape(text), time.Minute)
}

// Can reports whether the viewer holds scope.
func (p Page) Can(scope string) bool {
	return p.Viewer != nil && auth.Principal{Scope: p.Viewer.Scope}.Can(auth.Scope(scope))
}

// Need says why the viewer may not act with scope; Reason is empty when
// they may.
func (p Page) Need(scope string) Need {
	n := Need{Scope: scope}
	switch {
	case p.Can(scope):
	case p.Viewer == nil:
		n.Reason = "Sign in to act on this page."
	case p.Viewer.ID == "":
		n.Reason = fmt.Sprintf("This needs the %s scope; the token has %s.", scope, p.Viewer.Scope)
	default:
		n.Reason = fmt.Sprintf("This needs the %s scope; you have %s. An admin can grant it under auth.access in the config.", scope, p.Viewer.Scope)
	}
	return n
}

// Need is a scope an action needs and, when the viewer lacks it, why.
type Need struct {
	Scope, Reason string
}

// Disabled is the attributes of a control the viewer may not use: disabled,
// and pointing at the reason ({{template "why" (.Need scope)}}) for screen
// readers.
func (p Page) Disabled(scope string) template.HTMLAttr {
	if p.Can(scope) {
		return ""
	}
	return template.HTMLAttr(fmt.Sprintf(`disabled aria-describedby="why-%s"`, template.HTMLEscapeString(scope)))
}

// CSRF is the viewer's CSRF token, for the csrf field of forms.
func (p Page) CSRF() string {
	if p.Viewer == nil {
		return ""
	}
	return p.Viewer.CSRF
}

// Time shows t (a time.Time or *time.Time) in the viewer's zone, with the
// machine-readable time and UTC on hover. The zero time shows as "never".
func (p Page) Time(v any) template.HTML {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x != nil {
			t = *x
		}
	}
	if t.IsZero() {
		return "never"
	}
	loc := p.loc
	if loc == nil {
		loc = time.UTC
	}
	u := t.UTC()
	return template.HTML(fmt.Sprintf(`<time datetime="%s" title="%s">%s</time>`, u.Format(time.RFC3339),
		u.Format("2006-01-02 15:04:05 UTC"), template.HTMLEscapeString(t.In(loc).Format("2006-01-02 15:04:05 MST"))))
}

// navEntry is one entry of the shared navigation.
type navEntry struct{ ID, Label, Href string }

// navigation is the app's shared navigation, in order. Pages name their
// entry in Page.Nav.
func navigation() []navEntry {
	return []navEntry{
		{"status", "Status", "/"},
		{"alerts", "Alerts", "/alerts"},
		{"slos", "SLOs", "/slos"},
		{"incidents", "Incidents", "/incidents"},
		{"oncall", "On call", "/oncall"},
		{"runbooks", "Runbooks", "/runbooks"},
		{"silences", "Silences", "/silences"},
		{"deploys", "Deploys", "/deploys"},
		{"delivery", "Delivery", "/delivery"},
		{"releases", "Releases", "/releases"},
		{"toil", "Toil", "/toil"},
		{"reports", "Reports", "/reports/weekly"},
		{"cluster", "Cluster", "/cluster"},
	}
}

// noticeShown clears the notice a page is about to show, so it shows once.
func (s *Server) noticeShown(w http.ResponseWriter, r *http.Request) {
	if s.cookie(r, noticeCookieName) != "" {
		s.clearCookie(w, r, noticeCookieName)
	}
}
