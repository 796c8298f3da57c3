package web

import (
	"context"
	"html/template"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
	"github.com/vigil-sre/vigil/internal/web/chart"
)

// checkChartHours is how far back a check page draws latency and uptime:
// a day, an hour to a point, from the hour buckets the rollups keep.
const checkChartHours = 24

// checkCharts draws a check's last day: its mean and slowest probe per hour,
// and the share of each hour it was up. An hour without results has no
// point.
func (s *Server) checkCharts(ctx context.Context, id int64, now time.Time, loc *time.Location) (latency, uptime template.HTML, err error) {
	to := now.Truncate(time.Hour).Add(time.Hour)
	from := to.Add(-checkChartHours * time.Hour)
	bs, err := s.d.Store.Buckets(ctx, id, store.Hour, from, to)
	if err != nil {
		return "", "", err
	}
	mean := chart.Series{Name: "mean"}
	slowest := chart.Series{Name: "slowest"}
	up := chart.Series{Name: "up"}
	for _, b := range bs {
		if b.N > 0 {
			mean.Points = append(mean.Points, chart.Point{At: b.Start, Value: ms(b.DurSum / time.Duration(b.N))})
			slowest.Points = append(slowest.Points, chart.Point{At: b.Start, Value: ms(b.DurMax)})
		}
		if total := b.UpMs + b.DownMs; total > 0 {
			up.Points = append(up.Points, chart.Point{At: b.Start, Value: 100 * float64(b.UpMs) / float64(total)})
		}
	}
	latency = chart.Line(chart.Options{Title: "Probe duration per hour, last 24 hours, in milliseconds", Unit: "ms", Zone: loc}, mean, slowest)
	uptime = chart.Line(chart.Options{Title: "Share of each hour up, last 24 hours", Unit: "%", Zone: loc}, up)
	return latency, uptime, nil
}
