package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/ical"
	"github.com/vigil-sre/vigil/internal/store"
)

// A person's calendar feed lives at a secret address,
// /oncall/ical/{person}/{token}.ics, that calendar apps fetch without
// signing in. The token is an HMAC of the person's id under a secret kept
// in the store for them alone, so rotating it voids their old address and
// nobody else's.

const (
	// feedBack and feedAhead bound the shifts a feed holds.
	feedBack  = 14 * 24 * time.Hour
	feedAhead = 90 * 24 * time.Hour
	// feedRefresh is how often calendar apps are asked to fetch it again.
	feedRefresh = time.Hour
	// maxFeedEvents bounds a feed whatever the rotations.
	maxFeedEvents = 2000
)

// feedSecret is the key behind person's feed address, made the first time.
func (s *Server) feedSecret(ctx context.Context, person string) (string, error) {
	return s.d.Store.FeedSecret(ctx, person, s.now(), newFeedSecret)
}

func newFeedSecret() string {
	return base64.RawStdEncoding.EncodeToString([]byte(rand.Text() + rand.Text()))
}

// feedToken is the secret part of person's feed address.
func feedToken(secret, person string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("vigil calendar feed\x00" + person))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))[:32]
}

// feedPath is person's feed address under the app.
func (s *Server) feedPath(ctx context.Context, person string) (string, error) {
	secret, err := s.feedSecret(ctx, person)
	if err != nil {
		return "", errs.Wrap(errs.Unavailable, err, "reading the calendar feed secret")
	}
	return "/oncall/ical/" + url.PathEscape(person) + "/" + feedToken(secret, person) + ".ics", nil
}

// baseURL is where people reach Vigil: external_url, or the address this
// request came to.
func (s *Server) baseURL(r *http.Request) string {
	if base := strings.TrimSuffix(s.d.Config().Global.ExternalURL, "/"); base != "" {
		return base
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// calendarFeed answers GET /oncall/ical/{person}/{token}.ics, with no
// sign-in: the person's shifts on every schedule, from two weeks back to
// 90 days ahead, as an iCalendar feed. A wrong token and an unknown person
// get the same 404.
func (s *Server) calendarFeed(w http.ResponseWriter, r *http.Request) {
	person := r.PathValue("person")
	token, isICS := strings.CutSuffix(r.PathValue("file"), ".ics")
	dir := s.d.Directory()
	notFound := func() {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		http.Error(w, "no such calendar feed; the link may have been replaced (see My shifts in Vigil)", http.StatusNotFound)
	}
	if _, ok := dir.Person(person); !ok || !isICS || len(token) != 32 {
		notFound()
		return
	}
	secret, err := s.feedSecret(r.Context(), person)
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Unavailable, err, "reading the calendar feed secret"))
		return
	}
	if !hmac.Equal([]byte(token), []byte(feedToken(secret, person))) {
		notFound()
		return
	}
	now := s.now()
	// Whole UTC days, so a shift cut by the window's edge keeps its start,
	// and with it its UID, all day.
	from, to := now.Add(-feedBack).UTC().Truncate(24*time.Hour), now.Add(feedAhead).UTC().Truncate(24*time.Hour)
	rows, err := s.d.Store.Overrides(r.Context(), store.OverrideFilter{EndsAfter: from, StartsBefore: to, Limit: 10000})
	if err != nil {
		s.writeError(w, r, errs.Wrap(errs.Unavailable, err, "reading on-call overrides"))
		return
	}
	overrides := map[int64]store.OverrideRow{}
	for _, o := range rows {
		overrides[o.ID] = o
	}
	base := s.baseURL(r)
	names := scheduleNames(s.d.Config())
	cal := ical.Calendar{ProdID: "-//Vigil//On call//EN", Name: "On call: " + personOf(dir, person).Name, Refresh: feedRefresh}
	for _, sched := range dir.Schedules() {
		for _, sh := range dir.Shifts(sched, from, to) {
			if sh.Person != person || len(cal.Events) == maxFeedEvents {
				continue
			}
			it := newShiftItem(dir, sched, names[sched], sh)
			desc := "On call on " + names[sched] + " (" + it.Label
			if o, ok := overrides[it.OverrideID]; ok {
				if o.Replacing != "" {
					desc += ", standing in for " + personOf(dir, o.Replacing).Name
				}
				if o.Note != "" {
					desc += ": " + o.Note
				}
			}
			desc += ").\nSchedule: " + base + "/oncall/schedules/" + url.PathEscape(sched)
			cal.Events = append(cal.Events, ical.Event{
				UID: shiftUID(sched, sh.Person, sh.Source, sh.Start), Stamp: now, Start: sh.Start, End: sh.End,
				Summary: "On call: " + names[sched], Description: desc,
				URL: base + "/oncall/schedules/" + url.PathEscape(sched) + "?from=" + sh.Start.Format(dayLayout),
			})
		}
	}
	sort.SliceStable(cal.Events, func(i, j int) bool { return cal.Events[i].Start.Before(cal.Events[j].Start) })
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="vigil-oncall-`+person+`.ics"`)
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	if err := cal.Write(w); err != nil {
		s.d.Log.Warn("writing a calendar feed failed", "person", person, "err", err)
	}
}

// shiftUID names a shift for calendar apps: the same shift keeps its UID
// from one fetch to the next, so apps update it rather than add another.
func shiftUID(schedule, person, source string, start time.Time) string {
	sum := sha256.Sum256([]byte(schedule + "\x00" + person + "\x00" + source + "\x00" + start.UTC().Format(time.RFC3339)))
	return "shift-" + hex.EncodeToString(sum[:12]) + "@vigil"
}
