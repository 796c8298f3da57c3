package promcheck

import (
	"errors"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"
)

// WindowVar is where an SLI query takes the window it is evaluated over,
// as in Sloth: sum(increase(http_requests_total[{{.window}}])).
const WindowVar = "{{.window}}"

// windowStandIn replaces WindowVar while parsing: a valid range of the same
// length, so the columns of an error stay where the user wrote them.
const windowStandIn = "1000000000s"

// QueryError is a PromQL syntax error; Column is 1-based within the query.
type QueryError struct {
	Column int
	Msg    string
}

func (e *QueryError) Error() string { return e.Msg }

// ParseQuery checks q with Prometheus' own parser, so a typo is a config
// error at load and never a failing check at 3 a.m.
func ParseQuery(q string) error {
	if strings.TrimSpace(q) == "" {
		return &QueryError{Column: 1, Msg: "empty query"}
	}
	src := strings.ReplaceAll(q, WindowVar, windowStandIn)
	_, err := parser.NewParser(parser.Options{}).ParseExpr(src)
	if err == nil {
		return nil
	}
	var list parser.ParseErrors
	if errors.As(err, &list) && len(list) > 0 {
		pe := list[0]
		return &QueryError{Column: int(pe.PositionRange.Start) + 1, Msg: "PromQL: " + pe.Err.Error()}
	}
	var pe *parser.ParseErr
	if errors.As(err, &pe) {
		return &QueryError{Column: int(pe.PositionRange.Start) + 1, Msg: "PromQL: " + pe.Err.Error()}
	}
	return &QueryError{Column: 1, Msg: "PromQL: " + err.Error()}
}

// WithWindow puts a window such as 5m into an SLI query.
func WithWindow(q, window string) string { return strings.ReplaceAll(q, WindowVar, window) }
