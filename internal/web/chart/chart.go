// Package chart draws small charts as SVG on the server: lines over time,
// bars and sparklines, for check latency, uptime, MTTA/MTTR and alert
// volume. No script and nothing from a CDN; a page embeds the returned
// markup as is. Every chart is one image to a screen reader, labelled with
// its title, and every series has a name in a legend and a dash pattern of
// its own, so colour is never the only way to tell series apart.
package chart

import (
	"fmt"
	"html/template"
	"math"
	"strings"
	"time"
)

// Point is one value at one time.
type Point struct {
	At    time.Time
	Value float64
}

// Series is a named line.
type Series struct {
	Name   string
	Points []Point
}

// Bar is one labelled bar.
type Bar struct {
	Label string
	Value float64
}

// Options size and label a chart. Zero values take the defaults.
type Options struct {
	Title  string // what the chart shows; the accessible name
	Unit   string // appended to values: "ms", "%", "alerts"
	Width  int    // of the drawing area, in SVG units; default 600
	Height int    // default 160
	// Zone is where times on the axis are shown; UTC when nil.
	Zone *time.Location
}

func (o Options) size() (w, h float64) {
	w, h = 600, 160
	if o.Width > 0 {
		w = float64(o.Width)
	}
	if o.Height > 0 {
		h = float64(o.Height)
	}
	return w, h
}

// Margins leave room for the axis labels.
const (
	left   = 48.0
	bottom = 20.0
	top    = 8.0
	right  = 8.0
)

// dashes tell series apart without colour.
var dashes = []string{"", "6 3", "2 3", "8 3 2 3"}

// Line draws series over time, on one shared scale that starts at 0.
func Line(o Options, series ...Series) template.HTML {
	w, h := o.size()
	var from, to time.Time
	maxV := 0.0
	n := 0
	for _, s := range series {
		for _, p := range s.Points {
			if n == 0 || p.At.Before(from) {
				from = p.At
			}
			if n == 0 || p.At.After(to) {
				to = p.At
			}
			maxV = math.Max(maxV, p.Value)
			n++
		}
	}
	var b strings.Builder
	open(&b, o, w, h)
	if n == 0 {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" class="empty">no data</text>`, w/2, h/2)
		return closeSVG(&b)
	}
	peak := niceMax(maxV)
	axes(&b, o, w, h, peak)
	span := to.Sub(from)
	x := func(t time.Time) float64 {
		if span <= 0 {
			return left + (w-left-right)/2
		}
		return left + (w-left-right)*float64(t.Sub(from))/float64(span)
	}
	y := func(v float64) float64 { return h - bottom - (h-bottom-top)*v/peak }
	for i, s := range series {
		pts := make([]string, 0, len(s.Points))
		for _, p := range s.Points {
			pts = append(pts, fmt.Sprintf("%s,%s", num(x(p.At)), num(y(p.Value))))
		}
		fmt.Fprintf(&b, `<polyline class="series s%d" fill="none" stroke-width="2"%s points="%s"><title>%s</title></polyline>`,
			i, dashAttr(i), strings.Join(pts, " "), esc(s.Name))
	}
	loc := o.Zone
	if loc == nil {
		loc = time.UTC
	}
	layout := "Jan 2 15:04"
	if span >= 48*time.Hour {
		layout = "Jan 2"
	}
	fmt.Fprintf(&b, `<text x="%g" y="%g" class="axis">%s</text>`, left, h-4, esc(from.In(loc).Format(layout)))
	fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end" class="axis">%s</text>`, w-right, h-4, esc(to.In(loc).Format(layout)))
	b.WriteString(`</svg>`)
	if len(series) > 1 {
		b.WriteString(`<ul class="legend">`)
		for i, s := range series {
			fmt.Fprintf(&b, `<li><svg width="24" height="8" aria-hidden="true"><line class="series s%d" x1="0" y1="4" x2="24" y2="4" stroke-width="2"%s/></svg> %s</li>`,
				i, dashAttr(i), esc(s.Name))
		}
		b.WriteString(`</ul>`)
	}
	return template.HTML(b.String())
}

// Bars draws labelled bars from 0, each with its value on hover and under
// it when there is room.
func Bars(o Options, bars []Bar) template.HTML {
	w, h := o.size()
	var b strings.Builder
	open(&b, o, w, h)
	if len(bars) == 0 {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle" class="empty">no data</text>`, w/2, h/2)
		return closeSVG(&b)
	}
	maxV := 0.0
	for _, bar := range bars {
		maxV = math.Max(maxV, bar.Value)
	}
	peak := niceMax(maxV)
	axes(&b, o, w, h, peak)
	slot := (w - left - right) / float64(len(bars))
	bw := math.Max(1, slot*0.7)
	for i, bar := range bars {
		bh := (h - bottom - top) * bar.Value / peak
		bx := left + slot*float64(i) + (slot-bw)/2
		fmt.Fprintf(&b, `<rect class="bar" x="%s" y="%s" width="%s" height="%s"><title>%s: %s</title></rect>`,
			num(bx), num(h-bottom-bh), num(bw), num(bh), esc(bar.Label), esc(value(bar.Value, o.Unit)))
		if slot >= 36 {
			fmt.Fprintf(&b, `<text x="%s" y="%g" text-anchor="middle" class="axis">%s</text>`, num(bx+bw/2), h-4, esc(bar.Label))
		}
	}
	return closeSVG(&b)
}

// Sparkline is a small line without axes, for a table cell.
func Sparkline(label string, values []float64, width, height int) template.HTML {
	w, h := float64(width), float64(height)
	if w <= 0 {
		w = 80
	}
	if h <= 0 {
		h = 20
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="sparkline" viewBox="0 0 %g %g" width="%g" height="%g" role="img" aria-label="%s"><title>%s</title>`,
		w, h, w, h, esc(label), esc(label))
	if len(values) > 0 {
		lo, hi := values[0], values[0]
		for _, v := range values {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
		pts := make([]string, len(values))
		for i, v := range values {
			x := w / 2
			if len(values) > 1 {
				x = w * float64(i) / float64(len(values)-1)
			}
			y := h / 2
			if hi > lo {
				y = 1 + (h-2)*(1-(v-lo)/(hi-lo))
			}
			pts[i] = num(x) + "," + num(y)
		}
		fmt.Fprintf(&b, `<polyline fill="none" stroke-width="1.5" points="%s"/>`, strings.Join(pts, " "))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func open(b *strings.Builder, o Options, w, h float64) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %g %g" preserveAspectRatio="none" role="img" aria-label="%s"><title>%s</title>`,
		w, h, esc(o.Title), esc(o.Title))
}

func closeSVG(b *strings.Builder) template.HTML {
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// axes draws the baseline, the top line and their values.
func axes(b *strings.Builder, o Options, w, h, peak float64) {
	fmt.Fprintf(b, `<line class="grid" x1="%g" y1="%g" x2="%g" y2="%g"/>`, left, h-bottom, w-right, h-bottom)
	fmt.Fprintf(b, `<line class="grid" x1="%g" y1="%g" x2="%g" y2="%g" stroke-dasharray="2 4"/>`, left, top, w-right, top)
	fmt.Fprintf(b, `<text x="%g" y="%g" text-anchor="end" class="axis">%s</text>`, left-4, top+8, esc(value(peak, o.Unit)))
	fmt.Fprintf(b, `<text x="%g" y="%g" text-anchor="end" class="axis">0</text>`, left-4, h-bottom)
}

// niceMax rounds the top of the scale up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func value(v float64, unit string) string {
	s := strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", v), "0"), ".")
	if unit == "" {
		return s
	}
	if unit == "%" {
		return s + "%"
	}
	return s + " " + unit
}

func num(v float64) string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.1f", v), "0"), ".")
}

func dashAttr(i int) string {
	if d := dashes[i%len(dashes)]; d != "" {
		return fmt.Sprintf(` stroke-dasharray="%s"`, d)
	}
	return ""
}

func esc(s string) string { return template.HTMLEscapeString(s) }
