package ingest

import (
	"hash/fnv"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/vigil-sre/vigil/internal/alert"
	"github.com/vigil-sre/vigil/internal/timebound"
)

// severityOf reads a Prometheus-style severity label. Rules use many words
// for it and some none at all, so an unknown or missing one is Error rather
// than a reason to drop the alert.
func severityOf(labels map[string]string) alert.Severity {
	if s, ok := alert.ParseSeverity(labels["severity"]); ok {
		return s
	}
	return alert.Error
}

// summaryOf picks a one-line title for a Prometheus-style alert: the summary
// annotation, else the first line of the description, else the alert name,
// else the key, so that no alert reaches a responder without a title.
func summaryOf(labels, annotations map[string]string, key string) string {
	if s := strings.TrimSpace(annotations["summary"]); s != "" {
		return truncate(s, maxSummaryChars)
	}
	if s := firstLine(annotations["description"]); s != "" {
		return truncate(s, maxSummaryChars)
	}
	if s := strings.TrimSpace(labels["alertname"]); s != "" {
		return truncate(s, maxSummaryChars)
	}
	return "Alert " + key
}

func firstLine(s string) string {
	for s != "" {
		var line string
		line, s, _ = strings.Cut(s, "\n")
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}

// truncate shortens s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n-1 {
			break
		}
		count++
	}
	return s[:i] + "…"
}

// fingerprint is Alertmanager's fingerprint of a label set (FNV-1a over the
// sorted names and values, each followed by 0xff), so an alert whose sender
// left the fingerprint out gets the key Alertmanager would have given it.
func fingerprint(labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for k := range labels {
		names = append(names, k)
	}
	slices.Sort(names)
	h := fnv.New64a()
	sep := []byte{0xff}
	for _, k := range names {
		h.Write([]byte(k))
		h.Write(sep)
		h.Write([]byte(labels[k]))
		h.Write(sep)
	}
	s := strconv.FormatUint(h.Sum64(), 16)
	return strings.Repeat("0", 16-len(s)) + s
}

// parseTime reads an RFC 3339 time within w. Empty and Go's zero time
// (0001-01-01, which Alertmanager and Grafana send for "not ended") both
// mean unset. The field's path is built only when there is an error:
// building it for every alert cost an allocation each.
func parseTime(errs *Errors, at where, name, s string, w timebound.Window) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		errs.add(at.field(name), "%s is not an RFC 3339 time", quote(s))
		return time.Time{}
	}
	if t.IsZero() {
		return time.Time{} // drop the parsed location, so zero compares equal
	}
	if p := w.Problem(t); p != "" {
		errs.add(at.field(name), "%s", p)
		return time.Time{}
	}
	if t.UnixMilli() <= 0 {
		// The store keeps times in Unix milliseconds, 0 meaning never.
		errs.add(at.field(name), "%s must be after 1970-01-01T00:00:00Z", t.Format(time.RFC3339Nano))
		return time.Time{}
	}
	return t
}

// where locates one element of a batch, or the body itself when array is
// empty. Paths are built from it only to report an error, keeping the hot
// path free of string building.
type where struct {
	array string
	i     int
}

func (w where) field(name string) string {
	if w.array == "" {
		return name
	}
	return join(index(w.array, w.i), name)
}

// addLink appends a link when the sender gave a URL; senders fill unused URL
// fields with empty strings.
func addLink(links []alert.Link, href, text string) []alert.Link {
	if !webURL(href) {
		return links // a javascript: or data: link is not followed from a page or a chat
	}
	return append(links, alert.Link{Href: href, Text: text})
}

// blank is PagerDuty's "missing or blank": absent, empty or only spaces.
func blank(s string) bool { return strings.TrimSpace(s) == "" }

func chars(s string) int { return utf8.RuneCountInString(s) }

// webURL reports whether s is an absolute http(s) URL, the only kind of link
// an alert keeps.
func webURL(s string) bool {
	s = strings.TrimSpace(s)
	if s == "" {
		return false // most alerts have no runbook_url: no URL to parse
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// clipped ends a value that was shortened to fit.
const clipped = " …(truncated)"

// clip shortens s to at most max bytes, cutting between characters and
// saying so at the end.
func clip(s string, max int) string {
	if len(s) <= max {
		return s
	}
	cut := max - len(clipped)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + clipped
}
