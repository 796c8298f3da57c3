// Package openslo converts between Vigil's SLOs and OpenSLO v1 documents
// (kinds SLO, SLI and DataSource). Ratio metrics map to Vigil's ratio SLIs
// (prometheus, availability and events, the last two through a metric
// source of type Vigil) and threshold metrics to the latency SLI; anything
// else is an error that names it, never a silent approximation.
package openslo

// APIVersion is the OpenSLO version read and written.
const APIVersion = "openslo/v1"

// doc is any OpenSLO document; Spec is decoded by kind.
type doc struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   metadata `yaml:"metadata"`
	Spec       any      `yaml:"spec"`
}

type metadata struct {
	Name        string            `yaml:"name"`
	DisplayName string            `yaml:"displayName,omitempty"`
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

type sloDoc struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   metadata `yaml:"metadata"`
	Spec       sloSpec  `yaml:"spec"`
}

type sloSpec struct {
	Description     string       `yaml:"description,omitempty"`
	Service         string       `yaml:"service"`
	Indicator       *sliInline   `yaml:"indicator,omitempty"`
	IndicatorRef    string       `yaml:"indicatorRef,omitempty"`
	TimeWindow      []timeWindow `yaml:"timeWindow"`
	BudgetingMethod string       `yaml:"budgetingMethod"`
	Objectives      []objective  `yaml:"objectives"`
	AlertPolicies   []any        `yaml:"alertPolicies,omitempty"`
}

type sliInline struct {
	Metadata metadata `yaml:"metadata"`
	Spec     sliSpec  `yaml:"spec"`
}

type sliDoc struct {
	APIVersion string   `yaml:"apiVersion"`
	Kind       string   `yaml:"kind"`
	Metadata   metadata `yaml:"metadata"`
	Spec       sliSpec  `yaml:"spec"`
}

type sliSpec struct {
	Description     string       `yaml:"description,omitempty"`
	ThresholdMetric *metric      `yaml:"thresholdMetric,omitempty"`
	RatioMetric     *ratioMetric `yaml:"ratioMetric,omitempty"`
}

type ratioMetric struct {
	Counter bool    `yaml:"counter"`
	Good    *metric `yaml:"good,omitempty"`
	Bad     *metric `yaml:"bad,omitempty"`
	Total   *metric `yaml:"total,omitempty"`
	Raw     *metric `yaml:"raw,omitempty"`
	RawType string  `yaml:"rawType,omitempty"`
}

type metric struct {
	MetricSource metricSource `yaml:"metricSource"`
}

type metricSource struct {
	MetricSourceRef string         `yaml:"metricSourceRef,omitempty"`
	Type            string         `yaml:"type,omitempty"`
	Spec            map[string]any `yaml:"spec"`
}

type timeWindow struct {
	Duration  string    `yaml:"duration"`
	IsRolling bool      `yaml:"isRolling"`
	Calendar  *calendar `yaml:"calendar,omitempty"`
}

type calendar struct {
	StartTime string `yaml:"startTime,omitempty"`
	TimeZone  string `yaml:"timeZone,omitempty"`
}

type objective struct {
	DisplayName   string   `yaml:"displayName,omitempty"`
	Op            string   `yaml:"op,omitempty"`
	Value         *float64 `yaml:"value,omitempty"`
	Target        *float64 `yaml:"target,omitempty"`
	TargetPercent *float64 `yaml:"targetPercent,omitempty"`
}

type dataSourceDoc struct {
	Metadata metadata `yaml:"metadata"`
	Spec     struct {
		Type              string         `yaml:"type"`
		ConnectionDetails map[string]any `yaml:"connectionDetails"`
	} `yaml:"spec"`
}

// Vigil's own metric source: measure says which count of which checks.
const (
	sourceVigil      = "Vigil"
	sourcePrometheus = "Prometheus"

	measureUp       = "up_time"       // availability: good
	measureObserved = "observed_time" // availability: total
	measureGood     = "good_events"   // events: good
	measureTotal    = "total_events"  // events: total
	measureDuration = "duration"      // latency: threshold metric

	annService = "vigil.dev/service"
	annID      = "vigil.dev/slo"
)
