package route

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

var (
	silStart = time.Date(2026, 11, 27, 22, 0, 0, 0, time.UTC)
	silEnd   = silStart.Add(2 * time.Hour)
)

// TestSilenceValidate mirrors Alertmanager's silence.validateSilence and the
// API's start-before-end check.
func TestSilenceValidate(t *testing.T) {
	tests := []struct {
		name     string
		matchers []string
		start    time.Time
		end      time.Time
		want     []string // each must appear; none means valid
	}{
		{"one equality matcher", []string{`alertname="DiskFull"`}, silStart, silEnd, nil},
		{"unquoted value", []string{`alertname=DiskFull`}, silStart, silEnd, nil},
		{"a {} list in one entry", []string{`{alertname="DiskFull", instance=~"db-.*"}`}, silStart, silEnd, nil},
		{"match-all regex beside a real matcher", []string{`job=~".*"`, `service="db"`}, silStart, silEnd, nil},
		// Alertmanager counts only = and =~ as matching the empty string.
		{"lone negative matcher", []string{`service!="db"`}, silStart, silEnd, nil},
		{"no matchers", nil, silStart, silEnd, []string{"at least one matcher"}},
		{"empty braces", []string{`{}`}, silStart, silEnd, []string{"at least one matcher"}},
		{"matches everything", []string{`alertname=~".*"`}, silStart, silEnd, []string{"must not match the empty string"}},
		{"only empty matchers", []string{`foo=""`, `bar=~"x|"`}, silStart, silEnd, []string{"must not match the empty string"}},
		{"bad regex", []string{`job=~"("`}, silStart, silEnd, []string{"matchers[0]"}},
		{"bad syntax", []string{`service="db"`, `just-words`}, silStart, silEnd, []string{"matchers[1]", "bad matcher format"}},
		{"ends when it starts", []string{`a="b"`}, silStart, silStart, []string{"ends_at: must be after starts_at"}},
		{"ends before it starts", []string{`a="b"`}, silEnd, silStart, []string{"ends_at: must be after starts_at"}},
		{"no start", []string{`a="b"`}, time.Time{}, silEnd, []string{"starts_at: is required"}},
		{"no end", []string{`a="b"`}, silStart, time.Time{}, []string{"ends_at: is required"}},
		{"every problem at once", []string{`{}`}, silEnd, silStart, []string{"at least one matcher", "ends_at: must be after starts_at"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Silence{ID: "s1", Matchers: tt.matchers, StartsAt: tt.start, EndsAt: tt.end}.Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %q", tt.want)
			}
			if errs.CodeOf(err) != errs.Invalid {
				t.Errorf("code = %s, want invalid", errs.CodeOf(err))
			}
			for _, w := range tt.want {
				if !strings.Contains(errs.Message(err), w) {
					t.Errorf("Validate() = %q, want it to say %q", errs.Message(err), w)
				}
			}
		})
	}
}

func TestSilenceActive(t *testing.T) {
	s := Silence{Matchers: []string{`a="b"`}, StartsAt: silStart, EndsAt: silEnd}
	tests := []struct {
		t    time.Time
		want bool
	}{
		{silStart.Add(-time.Nanosecond), false},
		{silStart, true},
		{silStart.Add(time.Hour), true},
		{silEnd, true}, // inclusive, as Alertmanager's getState
		{silEnd.Add(time.Nanosecond), false},
	}
	for _, tt := range tests {
		if got := s.Active(tt.t); got != tt.want {
			t.Errorf("Active(%s) = %v, want %v", tt.t, got, tt.want)
		}
	}
}

func TestSilenceMatches(t *testing.T) {
	tests := []struct {
		name     string
		matchers []string
		lbls     map[string]string
		want     bool
	}{
		{"equality", []string{`alertname="DiskFull"`}, map[string]string{"alertname": "DiskFull", "host": "a"}, true},
		{"all must match", []string{`alertname="DiskFull"`, `host="b"`}, map[string]string{"alertname": "DiskFull", "host": "a"}, false},
		{"regex", []string{`alertname=~"Disk.*"`}, map[string]string{"alertname": "DiskFull"}, true},
		{"regex is anchored", []string{`alertname=~"Disk"`}, map[string]string{"alertname": "DiskFull"}, false},
		{"regex alternation", []string{`severity=~"warning|info"`}, map[string]string{"severity": "info"}, true},
		{"negative regex", []string{`alertname="DiskFull"`, `host!~"db-.*"`}, map[string]string{"alertname": "DiskFull", "host": "db-1"}, false},
		{"negative on a missing label", []string{`alertname="DiskFull"`, `host!="a"`}, map[string]string{"alertname": "DiskFull"}, true},
		{"list form", []string{`{alertname="DiskFull",host=~"a|b"}`}, map[string]string{"alertname": "DiskFull", "host": "b"}, true},
		{"invalid silence matches nothing", []string{`alertname=~".*"`}, map[string]string{"alertname": "DiskFull"}, false},
		{"no matchers match nothing", nil, map[string]string{"alertname": "DiskFull"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (Silence{Matchers: tt.matchers}).Matches(pack(tt.lbls)); got != tt.want {
				t.Errorf("Matches = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSilencing(t *testing.T) {
	sils := Silences{
		{ID: "disk", Matchers: []string{`alertname="DiskFull"`}, StartsAt: silStart, EndsAt: silEnd},
		{ID: "db-hosts", Matchers: []string{`host=~"db-.*"`}, StartsAt: silStart, EndsAt: silEnd},
		{ID: "later", Matchers: []string{`alertname="DiskFull"`}, StartsAt: silEnd, EndsAt: silEnd.Add(time.Hour)},
		{ID: "broken", Matchers: []string{`host=~".*"`}, StartsAt: silStart, EndsAt: silEnd},
	}
	silencer := NewSilencer(sils)
	tests := []struct {
		lbls map[string]string
		t    time.Time
		want []string
	}{
		{map[string]string{"alertname": "DiskFull", "host": "db-1"}, silStart, []string{"disk", "db-hosts"}},
		{map[string]string{"alertname": "DiskFull", "host": "web-1"}, silStart, []string{"disk"}},
		{map[string]string{"alertname": "DiskFull", "host": "web-1"}, silEnd, []string{"disk", "later"}},
		{map[string]string{"alertname": "DiskFull"}, silEnd.Add(time.Minute), []string{"later"}},
		{map[string]string{"alertname": "CPU"}, silStart, nil},
		{map[string]string{"alertname": "DiskFull"}, silStart.Add(-time.Second), nil},
	}
	for _, tt := range tests {
		if got := sils.Silencing(pack(tt.lbls), tt.t); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Silences.Silencing(%v, %s) = %v, want %v", tt.lbls, tt.t, got, tt.want)
		}
		if got := silencer.Silencing(pack(tt.lbls), tt.t); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Silencer.Silencing(%v, %s) = %v, want %v", tt.lbls, tt.t, got, tt.want)
		}
	}
}
