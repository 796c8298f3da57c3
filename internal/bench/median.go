package bench

import "sort"

// medianOf is the median of one figure over several runs; machines shared
// with other work are noisy, so reports give medians.
func medianOf[T any](runs []T, get func(T) float64) float64 {
	vs := make([]float64, len(runs))
	for i, r := range runs {
		vs[i] = get(r)
	}
	sort.Float64s(vs)
	if len(vs)%2 == 1 {
		return vs[len(vs)/2]
	}
	return (vs[len(vs)/2-1] + vs[len(vs)/2]) / 2
}
