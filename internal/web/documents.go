package web

import (
	"net/http"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/zone"
)

// docParams reads what every rendered document takes: ?format=md|html
// (default md) and ?tz= (default: the reader's zone, else global.timezone).
func (s *Server) docParams(r *http.Request) (format string, loc *time.Location, err error) {
	q := r.URL.Query()
	format = q.Get("format")
	if format == "" {
		format = "md"
	}
	if format != "md" && format != "html" {
		return "", nil, errs.E(errs.Invalid, "format: %q is not md or html", format)
	}
	// Without tz, times are in the zone of whoever asks (their token's or
	// session's person), else the team's.
	loc = zone.Of(s.d.Config(), s.readerPerson(r))
	if tz := q.Get("tz"); tz != "" {
		if loc, err = time.LoadLocation(tz); err != nil {
			return "", nil, errs.E(errs.Invalid, "tz: unknown time zone %q", tz)
		}
	}
	return format, loc, nil
}

// writeDocument answers with a rendered document. HTML is served with a
// policy that runs no script, whatever the document holds.
func writeDocument(w http.ResponseWriter, format string, body []byte) {
	ct := "text/markdown; charset=utf-8"
	if format == "html" {
		ct = "text/html; charset=utf-8"
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = w.Write(body)
}
