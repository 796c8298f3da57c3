package auth

import (
	"sync"
	"time"
)

// Limiter is a token bucket per key (an account name, a client address):
// each key may spend Burst attempts at once and gets one back every Every.
// It holds at most Max keys; a full bucket is the same as none, so those
// are forgotten first, then the longest unused, and memory stays bounded
// whatever names and addresses callers make up.
type Limiter struct {
	Burst int
	Every time.Duration
	Max   int

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time // when tokens was last computed
}

// Allow spends one attempt for key at now. When none is left it reports how
// long until the next one.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = map[string]*bucket{}
	}
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= l.Max {
			l.evict(now)
		}
		b = &bucket{tokens: float64(l.Burst), at: now}
		l.buckets[key] = b
	}
	l.refill(b, now)
	if b.tokens < 1 {
		wait := time.Duration((1 - b.tokens) * float64(l.Every))
		return false, wait
	}
	b.tokens--
	return true, 0
}

// Forget drops key's bucket: a successful sign-in clears the account's
// failures.
func (l *Limiter) Forget(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.buckets, key)
}

// Len is how many keys are held.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func (l *Limiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.at); d > 0 {
		b.tokens = min(float64(l.Burst), b.tokens+float64(d)/float64(l.Every))
		b.at = now
	}
}

// evict makes room for one key: full buckets go first, and if none is full,
// the one unused longest.
func (l *Limiter) evict(now time.Time) {
	var oldest string
	var oldestAt time.Time
	for k, b := range l.buckets {
		l.refill(b, now)
		if b.tokens >= float64(l.Burst) {
			delete(l.buckets, k)
			continue
		}
		if oldest == "" || b.at.Before(oldestAt) {
			oldest, oldestAt = k, b.at
		}
	}
	if len(l.buckets) >= l.Max {
		delete(l.buckets, oldest)
	}
}
