package store

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"
)

func testSessions(t *testing.T, e engine) {
	ctx := context.Background()
	s := openStore(t, e.Fresh(t), Options{})
	a := SessionRow{IDHash: "aa", Person: "glen", Method: "oidc", Groups: []string{"sre", "viewers"}, Credential: "c1",
		CreatedAt: t0, SeenAt: t0}
	b := SessionRow{IDHash: "bb", Person: "glen", Method: "password", Credential: "c2", CreatedAt: t0.Add(time.Hour), SeenAt: t0.Add(time.Hour)}
	c := SessionRow{IDHash: "cc", Person: "susan", Method: "password", Credential: "c3", CreatedAt: t0, SeenAt: t0.Add(3 * time.Hour)}
	for _, r := range []SessionRow{a, b, c} {
		if err := s.CreateSession(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSession(ctx, a); err == nil {
		t.Fatal("a second session under the same id was stored")
	}
	got, err := s.Session(ctx, "aa")
	if err != nil || got.Person != "glen" || got.Method != "oidc" || !slices.Equal(got.Groups, a.Groups) || got.Credential != "c1" ||
		!got.CreatedAt.Equal(t0) || !got.SeenAt.Equal(t0) {
		t.Fatalf("Session(aa) = %+v, %v", got, err)
	}
	if got, _ := s.Session(ctx, "bb"); got.Groups == nil || len(got.Groups) != 0 {
		t.Errorf("no groups read back as %#v, want an empty list", got.Groups)
	}
	if _, err := s.Session(ctx, "zz"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Session(zz): %v, want ErrNotFound", err)
	}

	// A touch only moves forward.
	if err := s.TouchSession(ctx, "aa", t0.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.TouchSession(ctx, "aa", t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Session(ctx, "aa"); !got.SeenAt.Equal(t0.Add(2 * time.Hour)) {
		t.Fatalf("seen %v after touches, want %v", got.SeenAt, t0.Add(2*time.Hour))
	}

	// Prune: b was last seen before the idle cut; c started before the age cut.
	if err := s.PruneSessions(ctx, t0.Add(90*time.Minute), t0.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "bb"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an idle session survived pruning: %v", err)
	}
	for _, id := range []string{"aa", "cc"} {
		if _, err := s.Session(ctx, id); err != nil {
			t.Errorf("session %s was pruned: %v", id, err)
		}
	}
	if err := s.PruneSessions(ctx, t0, t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, "cc"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a session older than the age cut survived: %v", err)
	}

	if err := s.CreateSession(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := s.DeletePersonSessions(ctx, "glen"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"aa", "bb"} {
		if _, err := s.Session(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("session %s of a removed person survived: %v", id, err)
		}
	}
	if err := s.DeleteSession(ctx, "aa"); err != nil {
		t.Errorf("deleting a gone session: %v", err)
	}
}
