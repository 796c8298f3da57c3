package chart

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
)

// svgDoc is the part of a chart the tests read back.
type svgDoc struct {
	XMLName   xml.Name `xml:"svg"`
	Label     string   `xml:"aria-label,attr"`
	Role      string   `xml:"role,attr"`
	Title     string   `xml:"title"`
	Polylines []struct {
		Points string `xml:"points,attr"`
		Dash   string `xml:"stroke-dasharray,attr"`
		Title  string `xml:"title"`
	} `xml:"polyline"`
	Rects []struct {
		Y      string `xml:"y,attr"`
		Height string `xml:"height,attr"`
		Title  string `xml:"title"`
	} `xml:"rect"`
	Texts []string `xml:"text"`
}

func parse(t *testing.T, s string) svgDoc {
	t.Helper()
	if i := strings.Index(s, "</svg>"); i >= 0 {
		s = s[:i+len("</svg>")]
	}
	var d svgDoc
	if err := xml.Unmarshal([]byte(s), &d); err != nil {
		t.Fatalf("not well-formed SVG: %v\n%s", err, s)
	}
	return d
}

func TestLine(t *testing.T) {
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	out := string(Line(Options{Title: `Latency <of> "shop"`, Unit: "ms", Width: 248, Height: 128},
		Series{Name: "p50", Points: []Point{{t0, 0}, {t0.Add(time.Hour), 50}, {t0.Add(2 * time.Hour), 100}}},
		Series{Name: "p99 & worse", Points: []Point{{t0, 80}}},
	))
	d := parse(t, out)
	if d.Role != "img" || d.Label != `Latency <of> "shop"` || d.Title != d.Label {
		t.Errorf("accessible name %q/%q, role %q", d.Label, d.Title, d.Role)
	}
	if len(d.Polylines) != 2 {
		t.Fatalf("%d lines, want 2", len(d.Polylines))
	}
	// Drawing area: x 48..240, y 8..108; the scale tops out at 100.
	if got := d.Polylines[0].Points; got != "48,108 144,58 240,8" {
		t.Errorf("p50 points %q", got)
	}
	if d.Polylines[0].Dash != "" || d.Polylines[1].Dash == "" {
		t.Error("the second series is not told apart by its dashes")
	}
	if d.Polylines[1].Title != "p99 & worse" {
		t.Errorf("series title %q", d.Polylines[1].Title)
	}
	for _, want := range []string{"100 ms", "Nov 23 09:00", "Nov 23 11:00"} {
		if !strings.Contains(strings.Join(d.Texts, "|"), want) {
			t.Errorf("axis labels %q lack %q", d.Texts, want)
		}
	}
	if !strings.Contains(out, `<ul class="legend">`) || !strings.Contains(out, "p99 &amp; worse") {
		t.Error("two series need a legend naming them")
	}
	if strings.Contains(out, "<script") || strings.Contains(out, "http") {
		t.Error("a chart loads or runs something")
	}
}

func TestLineEmptyAndSingle(t *testing.T) {
	if d := parse(t, string(Line(Options{Title: "x"}))); len(d.Polylines) != 0 || !strings.Contains(strings.Join(d.Texts, ""), "no data") {
		t.Errorf("empty chart: %+v", d)
	}
	one := parse(t, string(Line(Options{Title: "x", Width: 248, Height: 128}, Series{Points: []Point{{time.Unix(0, 0), 5}}})))
	if got := one.Polylines[0].Points; got != "144,8" { // the middle, at the top of its own scale
		t.Errorf("a single point sits at %q, want 144,8", got)
	}
}

func TestBars(t *testing.T) {
	d := parse(t, string(Bars(Options{Title: "Alerts per day", Unit: "alerts", Width: 448, Height: 128},
		[]Bar{{"Mon", 5}, {"Tue", 10}, {"Wed", 0}, {"<b>", 2.5}})))
	if len(d.Rects) != 4 {
		t.Fatalf("%d bars", len(d.Rects))
	}
	// The scale tops at 10: Tue fills the 100 units of height, Mon half.
	if d.Rects[1].Height != "100" || d.Rects[0].Height != "50" || d.Rects[2].Height != "0" {
		t.Errorf("bar heights %s %s %s", d.Rects[0].Height, d.Rects[1].Height, d.Rects[2].Height)
	}
	if d.Rects[3].Title != "<b>: 2.5 alerts" {
		t.Errorf("bar title %q", d.Rects[3].Title)
	}
}

func TestSparkline(t *testing.T) {
	d := parse(t, string(Sparkline("latency", []float64{1, 3, 2}, 80, 20)))
	if d.Label != "latency" || len(d.Polylines) != 1 || d.Polylines[0].Points != "0,19 40,1 80,10" {
		t.Errorf("sparkline %+v", d)
	}
}

func TestNiceMax(t *testing.T) {
	for in, want := range map[float64]float64{0: 1, 0.3: 0.5, 1: 1, 1.2: 2, 3: 5, 7: 10, 99.9: 100, 140: 200} {
		if got := niceMax(in); got != want {
			t.Errorf("niceMax(%v) = %v, want %v", in, got, want)
		}
	}
}
