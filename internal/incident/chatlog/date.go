package chatlog

import (
	"errors"
	"strings"
	"time"

	"github.com/vigil-sre/vigil/internal/errs"
)

// ParseDate reads "2021-09-04" for the --date flag, with a clear error.
// The result is midnight of that day in loc.
func ParseDate(s string, loc *time.Location) (time.Time, error) {
	if loc == nil {
		return time.Time{}, errs.E(errs.Invalid, "date %q: no time zone given", s)
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, errs.E(errs.Invalid, "no date given; want YYYY-MM-DD, such as 2021-09-04")
	}
	t, err := time.ParseInLocation(time.DateOnly, s, loc)
	if err != nil {
		// time names the element out of range ("day out of range"); for a
		// wrong shape its message quotes layouts, which helps nobody.
		var pe *time.ParseError
		if errors.As(err, &pe) && pe.Message != "" {
			return time.Time{}, errs.E(errs.Invalid, "date %q: %s", s, strings.TrimPrefix(pe.Message, ": "))
		}
		return time.Time{}, errs.E(errs.Invalid, "date %q is not YYYY-MM-DD, such as 2021-09-04", s)
	}
	return t, nil
}
