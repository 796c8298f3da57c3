package manifest

import (
	"fmt"
	"regexp"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
)

// unitTypo matches the sizes people write for memory that Kubernetes does
// not accept (256mb, 1GB, 512 MiB) or reads as something else.
var unitTypo = regexp.MustCompile(`^([0-9]+(?:\.[0-9]+)?)\s*([kKmMgGtT])(?:i?[bB]|iB)$`)

// ParseQuantity reads a resource quantity for resource ("memory", "cpu" or
// another) and says what is wrong with it when it is not what was meant:
// "256mb" is not a quantity (did you mean 256Mi?), and a memory of "256m"
// is a valid quantity of 0.256 bytes.
func ParseQuantity(res, s string) (resource.Quantity, error) {
	s = strings.TrimSpace(s)
	q, err := resource.ParseQuantity(s)
	if err != nil {
		if m := unitTypo.FindStringSubmatch(s); m != nil {
			return q, fmt.Errorf("%q is not a Kubernetes quantity; did you mean %s%si?", s, m[1], strings.ToUpper(m[2]))
		}
		return q, fmt.Errorf("%q is not a Kubernetes quantity (such as 256Mi, 1Gi, 250m or 0.5)", s)
	}
	if q.Sign() < 0 {
		return q, fmt.Errorf("%q is negative", s)
	}
	if res == "memory" && strings.HasSuffix(s, "m") {
		return q, fmt.Errorf("%q is %s bytes (m is milli); did you mean %sMi?", s, q.AsDec().String(), strings.TrimSuffix(s, "m"))
	}
	return q, nil
}
