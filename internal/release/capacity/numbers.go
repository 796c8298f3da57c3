package capacity

import (
	"fmt"
	"math/big"
	"strings"
	"time"
)

const (
	mi = 1 << 20
	gi = 1 << 30
)

// percent reads "85%", "+25%" or "-10%" as a fraction.
func percent(s string) (*big.Rat, error) {
	t := strings.TrimSpace(s)
	num, ok := strings.CutSuffix(t, "%")
	if !ok {
		return nil, fmt.Errorf("%q is not a percentage such as 85%%", s)
	}
	r, ok := new(big.Rat).SetString(strings.TrimPrefix(strings.TrimSpace(num), "+"))
	if !ok {
		return nil, fmt.Errorf("%q is not a percentage such as 85%%", s)
	}
	return r.Quo(r, big.NewRat(100, 1)), nil
}

func ratInt(n int64) *big.Rat { return new(big.Rat).SetInt64(n) }

func mul(a, b *big.Rat) *big.Rat { return new(big.Rat).Mul(a, b) }

func quo(a, b *big.Rat) *big.Rat { return new(big.Rat).Quo(a, b) }

// ceilDiv rounds a up to a multiple of step (both positive).
func ceilTo(a *big.Rat, step int64) int64 {
	q := quo(a, ratInt(step))
	n := new(big.Int).Quo(q.Num(), q.Denom())
	if new(big.Rat).SetInt(n).Cmp(q) < 0 {
		n.Add(n, big.NewInt(1))
	}
	return n.Int64() * step
}

func ceilInt(a *big.Rat) int64 { return ceilTo(a, 1) }

// decimal prints r with at most two decimals, trailing zeros dropped.
func decimal(r *big.Rat) string {
	if r.IsInt() {
		return r.Num().String()
	}
	s := strings.TrimRight(r.FloatString(2), "0")
	return strings.TrimSuffix(s, ".")
}

// memText prints a memory amount in Gi when whole, else in Mi.
func memText(r *big.Rat) string {
	if g := quo(r, ratInt(gi)); g.IsInt() && g.Sign() > 0 {
		return decimal(g) + "Gi"
	}
	return decimal(quo(r, ratInt(mi))) + "Mi"
}

// milli prints a CPU amount given in millicores.
func milli(r *big.Rat) string { return decimal(r) + "m" }

func pct(r *big.Rat) string { return decimal(mul(r, ratInt(100))) + "%" }

func signedPct(r *big.Rat) string {
	if r.Sign() >= 0 {
		return "+" + pct(r)
	}
	return pct(r)
}

// span prints a duration the way people say it: 25m, 37m30s, 1h.
func span(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
