package capacity

import (
	"github.com/vigil-sre/vigil/internal/yamldoc"
)

// ParseFile reads a capacity file strictly and works out its plan. Every
// problem, from unknown fields to an impossible plan, comes back at once as
// yamldoc.Problems located at file:line:col.
func ParseFile(name string, data []byte) (Result, error) {
	doc, err := yamldoc.Parse(name, data)
	if err != nil {
		return Result{}, err
	}
	var s Spec
	if err := doc.Decode(&s); err != nil {
		return Result{}, err
	}
	res, ps := Plan(s)
	if len(ps) > 0 {
		return Result{}, doc.Locate(ps)
	}
	return res, nil
}
