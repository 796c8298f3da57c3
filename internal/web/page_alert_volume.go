package web

import (
	"cmp"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/web/chart"
)

// volumeDays are the periods the alert volume page offers, in days.
var volumeDays = []int{7, 14, 30, 90}

// volumeLines is how many services get a line of their own; the rest are
// summed into one, so the chart stays readable (and every line keeps a dash
// pattern of its own).
const volumeLines = 3

type alertVolumePage struct {
	Page
	Days    int
	Periods []int
	Total   int
	Rows    []volumeRow
	Daily   template.HTML
	PerSvc  template.HTML
}

// volumeRow is one service's alerts in the period.
type volumeRow struct {
	Service  string
	Alerts   int
	Busiest  time.Time // the day with the most alerts
	BusiestN int
	PerDay   string
}

// alertVolumePage renders /alerts/volume?days=14: alerts opened per service
// per day, as lines for the busiest services and bars per service, with a
// table of the numbers, in the viewer's days.
func (s *Server) alertVolumePage(w http.ResponseWriter, r *http.Request) {
	p := alertVolumePage{Page: s.page(r, "Alert volume", "alerts"), Days: 14, Periods: volumeDays}
	if raw := r.URL.Query().Get("days"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || !slices.Contains(volumeDays, n) {
			s.pageError(w, r, errs.E(errs.Invalid, "days: %q is not one of %s", shortValue(raw), joinInts(volumeDays)))
			return
		}
		p.Days = n
	}
	loc := p.zone()
	now := p.Now.In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	from := today.AddDate(0, 0, 1-p.Days)
	days, err := s.d.Store.AlertVolume(r.Context(), from, p.Now, loc)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	bySvc := map[string]*volumeRow{}
	perDay := map[string]map[string]int{} // service → day → alerts
	for _, d := range days {
		key := d.Day.Format(time.DateOnly)
		row := bySvc[d.Service]
		if row == nil {
			row = &volumeRow{Service: d.Service}
			bySvc[d.Service] = row
			perDay[d.Service] = map[string]int{}
		}
		row.Alerts += d.Alerts
		perDay[d.Service][key] += d.Alerts
		if d.Alerts > row.BusiestN {
			row.Busiest, row.BusiestN = d.Day, d.Alerts
		}
		p.Total += d.Alerts
	}
	for _, row := range bySvc {
		row.PerDay = strconv.FormatFloat(float64(row.Alerts)/float64(p.Days), 'f', 1, 64)
		p.Rows = append(p.Rows, *row)
	}
	slices.SortFunc(p.Rows, func(a, b volumeRow) int {
		return cmp.Or(cmp.Compare(b.Alerts, a.Alerts), cmp.Compare(a.Service, b.Service))
	})

	var bars []chart.Bar
	for _, row := range p.Rows {
		bars = append(bars, chart.Bar{Label: serviceLabel(row.Service), Value: float64(row.Alerts)})
	}
	p.PerSvc = chart.Bars(chart.Options{Title: "Alerts per service over the period", Unit: "alerts"}, bars)
	p.Daily = chart.Line(chart.Options{Title: "Alerts opened per day, by service", Unit: "alerts", Zone: loc},
		volumeSeries(p.Rows, perDay, from, p.Days)...)
	s.render(w, r, "alert_volume.html", p)
}

// volumeSeries is a line per busiest service and one for the rest, a point
// per day (zero on a day without alerts).
func volumeSeries(rows []volumeRow, perDay map[string]map[string]int, from time.Time, days int) []chart.Series {
	if len(rows) == 0 {
		return nil
	}
	lines := min(len(rows), volumeLines)
	if len(rows) == volumeLines+1 {
		lines = len(rows) // a line of "1 other service" says less than its name
	}
	out := make([]chart.Series, lines)
	for i := range out {
		out[i].Name = serviceLabel(rows[i].Service)
	}
	rest := rows[lines:]
	if len(rest) > 0 {
		out = append(out, chart.Series{Name: strconv.Itoa(len(rest)) + " other services"})
	}
	for d := range days {
		day := from.AddDate(0, 0, d)
		key := day.Format(time.DateOnly)
		for i := range lines {
			out[i].Points = append(out[i].Points, chart.Point{At: day, Value: float64(perDay[rows[i].Service][key])})
		}
		if len(rest) > 0 {
			n := 0
			for _, row := range rest {
				n += perDay[row.Service][key]
			}
			out[lines].Points = append(out[lines].Points, chart.Point{At: day, Value: float64(n)})
		}
	}
	return out
}

// serviceLabel names an alert's service; alerts may come without one.
func serviceLabel(id string) string {
	if id == "" {
		return "(no service)"
	}
	return id
}

func joinInts(ns []int) string {
	parts := make([]string, len(ns))
	for i, n := range ns {
		parts[i] = strconv.Itoa(n)
	}
	return strings.Join(parts, ", ")
}
