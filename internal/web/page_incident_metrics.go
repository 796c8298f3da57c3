package web

import (
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
	"github.com/vigil-sre/vigil/internal/incident"
	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/web/chart"
)

// metricPeriods are the periods the MTTA/MTTR page offers, by their word.
var metricPeriods = []struct {
	Word string
	Days int
}{{"7d", 7}, {"30d", 30}, {"90d", 90}, {"365d", 365}}

// metricsIncidents bounds the incidents one metrics page reads.
const metricsIncidents = 1000

type incidentMetricsPage struct {
	Page
	Period, Service string
	Periods         []string
	Services        []string
	Rows            []metricRow // overall first, then per service
	MTTA, MTTR      template.HTML
	Trend           template.HTML
	Capped          bool
}

type metricRow struct {
	Service             string
	Incidents, Resolved int
	MTTA, MTTR          string
}

// incidentMetricsPage renders /incidents/metrics?period=30d&service=: MTTA
// and MTTR per service for incidents declared in the period, as bars, and
// week by week (day by day over a week) as lines, with a table of the
// numbers the charts draw.
func (s *Server) incidentMetricsPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p := incidentMetricsPage{Page: s.page(r, "Incident metrics", "incidents"), Period: q.Get("period"),
		Service: strings.TrimSpace(q.Get("service")), Services: s.serviceIDs()}
	if p.Period == "" {
		p.Period = "30d"
	}
	days := 0
	for _, mp := range metricPeriods {
		p.Periods = append(p.Periods, mp.Word)
		if mp.Word == p.Period {
			days = mp.Days
		}
	}
	if days == 0 {
		s.pageError(w, r, errs.E(errs.Invalid, "period: %q is not one of %s", shortValue(p.Period), strings.Join(p.Periods, ", ")))
		return
	}
	since := p.Now.AddDate(0, 0, -days)
	ins, err := s.d.Incidents.List(r.Context(), store.IncidentFilter{Service: p.Service, Since: since, Limit: metricsIncidents})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.Capped = len(ins) == metricsIncidents
	var mtta, mttr []chart.Bar
	for _, sm := range incident.Summarize(ins) {
		row := metricRow{Service: sm.Service, Incidents: sm.Incidents, Resolved: sm.Resolved, MTTA: "–", MTTR: "–"}
		if sm.Acknowledged > 0 {
			row.MTTA = spanText(sm.MTTA)
		}
		if sm.Resolved > 0 {
			row.MTTR = spanText(sm.MTTR)
		}
		if sm.Service == "" {
			row.Service = "all services"
			p.Rows = append([]metricRow{row}, p.Rows...)
			continue
		}
		if p.Service != "" && sm.Service != p.Service {
			continue // another service of an incident on this one
		}
		p.Rows = append(p.Rows, row)
		mtta = append(mtta, chart.Bar{Label: sm.Service, Value: sm.MTTA.Minutes()})
		mttr = append(mttr, chart.Bar{Label: sm.Service, Value: sm.MTTR.Minutes()})
	}
	p.MTTA = chart.Bars(chart.Options{Title: "Mean time to acknowledge per service, in minutes", Unit: "min"}, mtta)
	p.MTTR = chart.Bars(chart.Options{Title: "Mean time to resolve per service, in minutes", Unit: "min"}, mttr)
	p.Trend = metricsTrend(ins, since, p.Now, days, p.loc)
	s.render(w, r, "incident_metrics.html", p)
}

// metricsTrend draws MTTA and MTTR over the period: per day over a week,
// per week otherwise, each point the mean of the incidents whose impact
// began in that bucket. A bucket without incidents has no point.
func metricsTrend(ins []store.IncidentRow, from, to time.Time, days int, loc *time.Location) template.HTML {
	step, unit := 7*24*time.Hour, "week"
	if days <= 7 {
		step, unit = 24*time.Hour, "day"
	}
	type acc struct {
		ack, res     time.Duration
		acked, fixed int
	}
	buckets := make([]acc, int(to.Sub(from)/step)+1)
	for _, in := range ins {
		i := int(in.StartedAt.Sub(from) / step)
		if i < 0 || i >= len(buckets) {
			continue
		}
		m := incident.MetricsOf(in)
		if m.ToAck != nil {
			buckets[i].ack += *m.ToAck
			buckets[i].acked++
		}
		if m.ToResolve != nil {
			buckets[i].res += *m.ToResolve
			buckets[i].fixed++
		}
	}
	ack := chart.Series{Name: "MTTA (minutes)"}
	res := chart.Series{Name: "MTTR (minutes)"}
	for i, b := range buckets {
		at := from.Add(time.Duration(i) * step)
		if b.acked > 0 {
			ack.Points = append(ack.Points, chart.Point{At: at, Value: (b.ack / time.Duration(b.acked)).Minutes()})
		}
		if b.fixed > 0 {
			res.Points = append(res.Points, chart.Point{At: at, Value: (b.res / time.Duration(b.fixed)).Minutes()})
		}
	}
	return chart.Line(chart.Options{Title: "MTTA and MTTR by " + unit + " of impact start, in minutes", Unit: "min", Zone: loc}, ack, res)
}
