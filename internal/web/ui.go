package web

import (
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/duration"
	"github.com/vigil-sre/vigil/internal/monitor"
	"github.com/vigil-sre/vigil/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// barDays is how many daily bars the status page shows.
const barDays = 90

func parsePages() (*template.Template, error) {
	return template.New("").Funcs(template.FuncMap{
		"ago":        agoText,
		"list":       func(v ...string) []string { return v },
		"since":      func(now, t time.Time) string { return agoText(now, &t) },
		"pct":        pctText,
		"uptimeOf":   uptimeOf,
		"dur":        func(d string) string { return d },
		"ms":         func(v float64) string { return fmt.Sprintf("%.1f ms", v) },
		"navigation": navigation,
		"statusWord": func(s string) string { return strings.ReplaceAll(s, "_", " ") },
		// SLO budgets on the status page (slo_budget.html) and the SLO pages.
		"budgetClass":  budgetClass,
		"deref":        func(p *float64) float64 { return *p },
		"verdictClass": verdictClass,
		"bandClass":    bandClass,
	}).ParseFS(templateFS, "templates/*.html")
}

func staticFiles() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // embedded at build time; cannot fail at run time
	}
	return http.StripPrefix("/static/", http.FileServerFS(sub))
}

// bar is one day of the uptime bars.
type bar struct {
	Day     string
	Percent *float64
	Class   string
	Title   string
}

type statusPage struct {
	Page
	Services []serviceCard
	Overall  string // the most alarming state of any check: the banner's color
	Checks   int
	Problems int // checks failing, flapping or pending
	Degraded int
	Unknown  int // checks with no result yet
	Affected int // services whose open incidents or alerts raised their state
	// Attention lists the problem checks, so the banner can link to them on a
	// page too long to scan.
	Attention []checkView
}

type serviceCard struct {
	serviceView
	Bars []bar
	// Detail shows incident titles and alert summaries, to readers with the
	// read scope only: a public status page shows that they are open.
	Detail bool
	page   Page // for times in the viewer's zone
}

// Time shows t in the viewer's zone (the team's, to a public reader).
func (c serviceCard) Time(v any) template.HTML { return c.page.Time(v) }

// statusPage renders / : every service, its checks, why any is failing, and
// 90 days of uptime bars.
func (s *Server) statusPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	services, err := s.services(ctx)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	// Overall starts unknown, not ok: before the first results the banner
	// must not say that all is well.
	p := statusPage{Page: s.page(r, "Status", "status"), Overall: string(monitor.Unknown)}
	p.Refresh = 30
	for _, sv := range services {
		bars, err := s.bars(ctx, sv.checkIDs())
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		p.Services = append(p.Services, serviceCard{serviceView: sv, Bars: bars, Detail: s.canRead(r), page: p.Page})
		if sv.Affected() {
			p.Affected++
		}
		for _, c := range sv.Checks {
			p.Checks++
			switch {
			case stateRank(c.State) >= stateRank(string(monitor.Pending)):
				p.Problems++
				p.Attention = append(p.Attention, c)
			case c.State == string(monitor.Degraded):
				p.Degraded++
			case c.State == string(monitor.Unknown):
				p.Unknown++
			}
		}
		if stateRank(sv.State) > stateRank(p.Overall) {
			p.Overall = sv.State
		}
	}
	s.render(w, r, "status.html", p)
}

type checkPage struct {
	Page
	Check           checkDetail
	Bars            []bar
	Latency, Uptime template.HTML
}

// checkPage renders /checks/{service}/{check}: the verdict of every condition
// of the latest result, recent results and state changes.
func (s *Server) checkPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.checkDetail(r, 50)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := checkPage{Page: s.page(r, d.Service+"/"+d.ID, "status"), Check: d}
	if d.id != 0 {
		if p.Bars, err = s.bars(r.Context(), []int64{d.id}); err != nil {
			s.pageError(w, r, err)
			return
		}
		if p.Latency, p.Uptime, err = s.checkCharts(r.Context(), d.id, p.Now, p.zone()); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	p.Refresh = 30
	s.render(w, r, "check.html", p)
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, name string, data any) {
	s.noticeShown(w, r)
	pageHeaders(w)
	if err := s.pages.ExecuteTemplate(w, name, data); err != nil {
		s.d.Log.Error("rendering page failed", "page", name, "err", err)
	}
}

// renderStatus renders a page with a status other than 200.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	s.noticeShown(w, r)
	pageHeaders(w)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if err := s.pages.ExecuteTemplate(w, name, data); err != nil {
		s.d.Log.Error("rendering page failed", "page", name, "err", err)
	}
}

// bars sums the day buckets of checks into the last 90 days, oldest first.
func (s *Server) bars(ctx context.Context, ids []int64) ([]bar, error) {
	today := s.now().UTC().Truncate(24 * time.Hour)
	from := today.Add(-(barDays - 1) * 24 * time.Hour)
	up := make([]int64, barDays)
	down := make([]int64, barDays)
	bs, err := s.d.Store.Timeline(ctx, ids, store.Day, from, today.Add(24*time.Hour))
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		i := int(b.Start.Sub(from) / (24 * time.Hour))
		if i >= 0 && i < barDays {
			up[i] += b.UpMs
			down[i] += b.DownMs
		}
	}
	out := make([]bar, barDays)
	for i := range out {
		day := from.Add(time.Duration(i) * 24 * time.Hour)
		u := monitor.MakeUptime("", up[i], down[i])
		b := bar{Day: day.Format("2006-01-02"), Percent: u.Percent, Class: barClass(u.Percent)}
		if u.Percent == nil {
			b.Title = b.Day + ": no data"
		} else {
			b.Title = fmt.Sprintf("%s: %s up, %s down", b.Day, pctText(u.Percent), duration.Format(time.Duration(down[i])*time.Millisecond))
		}
		out[i] = b
	}
	return out, nil
}

func barClass(p *float64) string {
	switch {
	case p == nil:
		return "none"
	case *p >= 99.95:
		return "up"
	case *p >= 99:
		return "minor"
	case *p >= 95:
		return "major"
	}
	return "down"
}

func pctText(p *float64) string {
	if p == nil {
		return "–"
	}
	if *p == 100 {
		return "100%"
	}
	return fmt.Sprintf("%.2f%%", *p)
}

func uptimeOf(us []monitor.Uptime, window string) *float64 {
	for _, u := range us {
		if u.Window == window {
			return u.Percent
		}
	}
	return nil
}

func agoText(now time.Time, t *time.Time) string {
	if t == nil || t.IsZero() {
		return "never"
	}
	d := now.Sub(*t)
	switch {
	case d < 0:
		return "just now"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", int(d.Seconds()))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}

// pageHeaders marks an answer as one of the app's pages: HTML that no other
// site may frame (a hidden Vigil page under a decoy is how a click on
// Approve or Acknowledge is stolen), never sniffed as anything else, with
// no <base> or plugin content taking effect should escaping ever fail.
func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
}
