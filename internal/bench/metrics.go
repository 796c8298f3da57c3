package bench

import (
	"fmt"
	"math"
	"net/http"
	"sort"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape reads a Prometheus /metrics page.
func scrape(client *http.Client, url string) (map[string]*dto.MetricFamily, error) {
	resp, err := client.Get(url + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET /metrics: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	return p.TextToMetricFamilies(resp.Body)
}

// counterSum adds up every series of a counter family.
func counterSum(mfs map[string]*dto.MetricFamily, name string) float64 {
	var sum float64
	if mf := mfs[name]; mf != nil {
		for _, m := range mf.GetMetric() {
			sum += m.GetCounter().GetValue()
		}
	}
	return sum
}

// counterSumWhere adds up the series of a counter whose label has value.
func counterSumWhere(mfs map[string]*dto.MetricFamily, name, label, value string) float64 {
	var sum float64
	if mf := mfs[name]; mf != nil {
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == label && l.GetValue() == value {
					sum += m.GetCounter().GetValue()
				}
			}
		}
	}
	return sum
}

// histogram is the cumulative buckets of one histogram series.
type histogram struct {
	count   uint64
	sum     float64
	buckets []bucket // ascending upper bounds, cumulative counts
}

type bucket struct {
	le    float64
	count uint64
}

func histogramOf(mfs map[string]*dto.MetricFamily, name string) histogram {
	var h histogram
	mf := mfs[name]
	if mf == nil || len(mf.GetMetric()) == 0 {
		return h
	}
	ph := mf.GetMetric()[0].GetHistogram()
	h.count, h.sum = ph.GetSampleCount(), ph.GetSampleSum()
	for _, b := range ph.GetBucket() {
		h.buckets = append(h.buckets, bucket{le: b.GetUpperBound(), count: b.GetCumulativeCount()})
	}
	sort.Slice(h.buckets, func(i, j int) bool { return h.buckets[i].le < h.buckets[j].le })
	return h
}

// minus is the histogram of the observations made between old and h.
func (h histogram) minus(old histogram) histogram {
	out := histogram{count: h.count - old.count, sum: h.sum - old.sum}
	for i, b := range h.buckets {
		var prev uint64
		if i < len(old.buckets) {
			prev = old.buckets[i].count
		}
		out.buckets = append(out.buckets, bucket{le: b.le, count: b.count - prev})
	}
	return out
}

// quantile estimates the q-quantile the way PromQL's histogram_quantile does:
// linear interpolation inside the bucket that holds it.
func (h histogram) quantile(q float64) float64 {
	if h.count == 0 {
		return math.NaN()
	}
	rank := q * float64(h.count)
	lower, below := 0.0, uint64(0)
	for _, b := range h.buckets {
		if float64(b.count) >= rank {
			if math.IsInf(b.le, 1) {
				return lower
			}
			inBucket := float64(b.count - below)
			if inBucket == 0 {
				return b.le
			}
			return lower + (b.le-lower)*(rank-float64(below))/inBucket
		}
		lower, below = b.le, b.count
	}
	return lower
}

// fractionBelow is the share of observations at or under le (a bucket bound).
func (h histogram) fractionBelow(le float64) float64 {
	if h.count == 0 {
		return math.NaN()
	}
	for _, b := range h.buckets {
		if b.le >= le {
			return float64(b.count) / float64(h.count)
		}
	}
	return 1
}
