// Package duration parses and prints the durations users write in config and in
// conditions: Go's forms (500ms, 1h30m, 1.5s) plus days, weeks and years (14d, 2w, 1y)
// as Prometheus and Alertmanager accept them.
package duration

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/invopop/jsonschema"
	"github.com/prometheus/common/model"
)

const (
	day  = 24 * time.Hour
	week = 7 * day
)

// Parse reads a duration such as 30s, 5m, 1h30m, 14d or 1w2d.
func Parse(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty duration")
	}
	if d, err := time.ParseDuration(s); err == nil {
		return d, nil
	}
	d, err := model.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("invalid duration %q (use a number and a unit: ms, s, m, h, d, w, e.g. 30s, 5m, 14d)", s)
	}
	return time.Duration(d), nil
}

// Format prints d the way a user would write it: whole weeks and days are
// shown as w and d, the rest as Go does.
func Format(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	if d < 0 {
		return "-" + Format(-d)
	}
	var b strings.Builder
	if d >= day && d%time.Second == 0 {
		if w := d / week; w > 0 && d%week == 0 {
			return strconv.FormatInt(int64(w), 10) + "w"
		}
		days := d / day
		b.WriteString(strconv.FormatInt(int64(days), 10) + "d")
		d -= days * day
		if d == 0 {
			return b.String()
		}
	}
	s := d.String()
	// time.Duration prints 1h0m0s; users write 1h.
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	b.WriteString(s)
	return b.String()
}

// Duration is a time.Duration that reads and writes itself as a string like "30s".
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return Format(time.Duration(d)) }

// UnmarshalText implements encoding.TextUnmarshaler; YAML and JSON decoders use it.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := Parse(string(b))
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalJSON accepts a duration string.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration must be a string such as \"30s\"")
	}
	return d.UnmarshalText([]byte(s))
}

// MarshalJSON writes the duration as a string.
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// Pattern is the regular expression a duration string matches; the config schema uses it.
const Pattern = `^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h|d|w|y))+$`

// JSONSchema describes Duration in the config's JSON Schema.
func (Duration) JSONSchema() *jsonschema.Schema {
	return &jsonschema.Schema{
		Type:        "string",
		Pattern:     Pattern,
		Description: "a duration: a number and a unit (ms, s, m, h, d, w), e.g. 30s, 5m, 14d",
		Examples:    []any{"30s", "5m", "1h30m", "14d"},
	}
}
