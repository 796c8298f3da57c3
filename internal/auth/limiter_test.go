package auth

import (
	"fmt"
	"testing"
	"time"
)

func TestLimiterBucket(t *testing.T) {
	l := &Limiter{Burst: 3, Every: time.Minute, Max: 10}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	for i := range 3 {
		if ok, _ := l.Allow("glen", now); !ok {
			t.Fatalf("attempt %d refused within the burst", i+1)
		}
	}
	ok, wait := l.Allow("glen", now)
	if ok || wait != time.Minute {
		t.Fatalf("fourth attempt: ok %v, wait %v; want refused for 1m", ok, wait)
	}
	if ok, _ := l.Allow("other", now); !ok {
		t.Fatal("one key's bucket limits another")
	}
	if ok, wait := l.Allow("glen", now.Add(30*time.Second)); ok || wait != 30*time.Second {
		t.Fatalf("half a minute on: ok %v, wait %v", ok, wait)
	}
	if ok, _ := l.Allow("glen", now.Add(time.Minute)); !ok {
		t.Fatal("a token did not come back after Every")
	}
	l.Forget("glen")
	for range 3 {
		if ok, _ := l.Allow("glen", now.Add(time.Minute)); !ok {
			t.Fatal("Forget did not reset the bucket")
		}
	}
}

func TestLimiterMemoryIsBounded(t *testing.T) {
	l := &Limiter{Burst: 2, Every: time.Second, Max: 100}
	now := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	// An attacker's made-up names, each spent to empty.
	for i := range 10_000 {
		k := fmt.Sprint("name-", i)
		l.Allow(k, now)
		l.Allow(k, now)
		now = now.Add(time.Millisecond)
	}
	if n := l.Len(); n > 100 {
		t.Fatalf("holds %d keys, more than Max", n)
	}
	// The newest key is still limited: eviction took the oldest.
	if ok, _ := l.Allow("name-9999", now); ok {
		t.Fatal("the newest spent key was evicted")
	}
}
