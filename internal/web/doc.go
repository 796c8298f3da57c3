// Package web is Vigil's HTTP surface: the JSON API, the browser app
// (status page, alerts, silences, incidents, on call, runbooks, ...), health,
// metrics and reload.
//
// # Routes
//
// Every route is declared in routes.go, and nowhere else. API handlers live
// in files named after their resource (alerts.go, silences.go, ...); each
// page of the browser app lives in a file of its own, page_NAME.go, with its
// template templates/NAME.html, and each form it posts to is an action in
// the same file or a page_NAME_ACTION.go next to it. Pages call the same
// domain services the API does (s.d.Pager, s.d.Incidents, s.d.Runbooks,
// s.d.Store...), never the API over HTTP. Share view types (alertView...)
// with the API rather than copying them.
//
// # Who is asking
//
// s.allow(r, scope) is the one place a route learns who is asking: it
// returns an auth.Principal, from a bearer token or a browser session
// cookie, holding the scope (read < respond < operate < admin). Record
// principal.Actor() (person/ID or token/ID) as who did anything, in the
// record and the audit log. A state change made with a session cookie must
// carry the session's CSRF token (a form's csrf field, or an X-CSRF-Token
// header); allow checks it. Wrap routes with:
//
//	s.read(h)              API read (read scope)
//	s.authorize(scope, h)  API handler needing scope
//	s.privatePage(h)       page needing read; a browser without a session is sent to /login
//	s.statusPages(h)       page open when global.public.status_page says so
//	s.action(scope, h)     form post: body capped (64 KiB; actionUpTo for uploads),
//	                       session, CSRF token and scope checked, else 403 and nothing changes;
//	                       h gets the principal
//
// http.CrossOriginProtection (csrf.go) also refuses cross-site state
// changes before any handler runs.
//
// # A page
//
// A page's data embeds Page, made by s.page(r, title, navID): the viewer,
// their zone, the time and the CSRF token. Render with s.render (200) or
// s.renderStatus; answer problems with s.pageError (an HTML page with the
// error's status), never JSON. After a successful action, redirect (303) to
// a page, with a notice code the page turns into its own text. In templates:
//
//	{{template "head" .}}<title>...</title></head><body>{{template "header" .}}
//	<main id="main">...</main>{{template "footer" .}}</body></html>
//	{{template "csrf" $}}                 in every form that posts
//	<button {{$.Disabled "respond"}}>     a control needing a scope...
//	{{template "why" ($.Need "respond")}} ...and why it is disabled
//	{{if $.Can "operate"}}...{{end}}      show or hide by scope
//	{{$.Time .At}}                        a time, in the viewer's zone, UTC on hover
//
// Every form field has a <label>; state is never shown by colour alone (a
// word or a symbol goes with it); pages fit 390 px wide (tables collapse
// under @media (max-width: 700px) in static/style.css); nothing is loaded
// from outside the app. Set Page.Refresh only on pages without forms.
// Charts are server-rendered SVG from package chart; live pages stream
// server-sent events with startSSE.
//
// # Tests
//
// Pages are tested in headless Chromium through internal/app: see
// browser_test.go there for signing in (password or OpenID provider),
// another person's window, phone width, accessibility checks and
// screenshots.
package web
