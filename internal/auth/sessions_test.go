package auth

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigil-sre/vigil/internal/store"
)

func TestSessionLifetime(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	lim := SessionLimits{Idle: time.Hour, MaxAge: 3 * time.Hour}
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

	id, s, err := NewSession(ctx, st, t0, "glen", MethodPassword, nil, "cred")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Session(ctx, id); err == nil {
		t.Fatal("the session id itself is a key in the store")
	}
	// Used every 50 minutes it stays alive past the idle limit...
	for _, at := range []time.Duration{50 * time.Minute, 100 * time.Minute, 150 * time.Minute} {
		got, err := ResolveSession(ctx, st, t0.Add(at), id, lim)
		if err != nil || got.Person != "glen" || got.CSRF != s.CSRF {
			t.Fatalf("at +%v: %+v, %v", at, got, err)
		}
	}
	// ...but not past its maximum age.
	if _, err := ResolveSession(ctx, st, t0.Add(3*time.Hour), id, lim); !errors.Is(err, ErrNoSession) {
		t.Fatalf("past max age: %v", err)
	}
	if _, err := st.Session(ctx, HashSessionID(id)); err == nil {
		t.Error("an expired session was left in the store")
	}

	id2, _, _ := NewSession(ctx, st, t0, "glen", MethodPassword, nil, "cred")
	if _, err := ResolveSession(ctx, st, t0.Add(time.Hour), id2, lim); !errors.Is(err, ErrNoSession) {
		t.Fatalf("idle for an hour: %v", err)
	}
	for _, bad := range []string{"", id2, strings.Repeat("a", 500), "made-up"} {
		if _, err := ResolveSession(ctx, st, t0, bad, lim); !errors.Is(err, ErrNoSession) {
			t.Errorf("id %.20q: %v", bad, err)
		}
	}
}

func TestCSRFToken(t *testing.T) {
	a, b := CSRFToken("session-a"), CSRFToken("session-b")
	if a == b || a == "" {
		t.Fatal("tokens of two sessions are equal or empty")
	}
	s := Session{CSRF: a}
	if !s.CheckCSRF(a) || s.CheckCSRF(b) || s.CheckCSRF("") {
		t.Fatal("CheckCSRF accepts the wrong token or refuses the right one")
	}
}
