package timebound

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

func TestWindows(t *testing.T) {
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		w     Window
		value string
		want  string // "" when accepted, else part of the message
	}{
		{"year 0 an hour east of UTC", Past(now), "0000-01-01T00:00:00+01:00", "at: 0000-01-01T00:00:00+01:00 must not be before 1970-01-01T00:00:00Z"},
		{"before 1970", Ahead(now), "1969-12-31T23:59:59Z", "must not be before 1970"},
		{"1970 itself", Past(now), "1970-01-01T00:00:00Z", ""},
		{"year 9999 far west of UTC", Ahead(now), "9999-12-31T23:59:59-23:00", "must be at most a year from now (latest 2027-11-23T09:00:00Z)"},
		{"a year ahead", Ahead(now), "2027-11-23T09:00:00Z", ""},
		{"a little in the future", Past(now), "2026-11-23T09:04:00Z", ""},
		{"tomorrow", Past(now), "2026-11-24T09:00:00Z", "must not be in the future"},
		{"year 9999 with no clock", Storable(), "9999-06-01T00:00:00Z", "too far in the future"},
		{"not a time", Past(now), "yesterday", `at: "yesterday" is not an RFC 3339 time`},
	}
	for _, tc := range cases {
		got, err := tc.w.Parse("at", tc.value)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want) || errs.CodeOf(err) != errs.Invalid):
			t.Errorf("%s: err = %v, want an invalid-input error with %q", tc.name, err, tc.want)
		case err == nil:
			// Whatever a window admits encodes, even a year later.
			if _, err := json.Marshal(got.AddDate(1, 0, 0)); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
	}
	if got, err := Past(now).Parse("at", ""); got != nil || err != nil {
		t.Errorf("empty: %v, %v; want nil, nil", got, err)
	}
}
