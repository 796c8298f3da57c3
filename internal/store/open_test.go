package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// assertNoSecret fails when err's text leaks secret; a helper so every test that
// touches credentials can use it.
func assertNoSecret(t *testing.T, err error, secret string) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), secret) {
		t.Errorf("error leaks secret %q: %v", secret, err)
	}
}

func TestOpenErrors(t *testing.T) {
	const secret = "s3cr3t-Pa55"
	cases := []struct {
		name, dsn, want string
	}{
		{"unknown scheme", "mysql://vigil:" + secret + "@db/vigil", `unknown DSN scheme "mysql"`},
		{"no scheme", "vigil.db", "DSN must look like"},
		{"sqlite without path", "sqlite://", "no path"},
		{"sqlite in memory", "sqlite://:memory:", "must name a file"},
		{"sqlite query", "sqlite://vigil.db?cache=shared", "must not contain"},
		{"postgres unreachable", "postgres://vigil:" + secret + "@127.0.0.1:1/vigil?sslmode=disable&connect_timeout=5", "connect to postgres"},
		{"postgresql unreachable, password in query", "postgresql://127.0.0.1:1/vigil?user=vigil&password=" + secret + "&sslmode=disable", "connect to postgres"},
		{"postgres escaped password", "postgres://vigil:" + secret + "%2F%40@127.0.0.1:1/vigil?sslmode=disable", "connect to postgres"},
		{"postgres malformed", "postgres://vigil:" + secret + "@[::1/vigil", "malformed"},
		{"postgres bad param", "postgres://vigil:" + secret + "@127.0.0.1:1/vigil?sslmode=bogus", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			s, err := Open(ctx, c.dsn, Options{})
			if err == nil {
				s.Close()
				t.Fatal("want error")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
			assertNoSecret(t, err, secret)
		})
	}
}

func TestRedact(t *testing.T) {
	cfg, err := parseDSN("postgres://u:p%40ss%2Fw@h/db?sslpassword=k3y")
	if err != nil {
		t.Fatal(err)
	}
	s := &Store{secrets: cfg.secrets}
	got := s.redact(errorString("bad p@ss/w and p%40ss%2Fw and k3y")).Error()
	if want := "bad xxxxx and xxxxx and xxxxx"; got != want {
		t.Errorf("redact = %q, want %q", got, want)
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestSQLiteRelativePathCreatesDirectory(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s := openStore(t, "sqlite://data/nested/vigil.db", Options{})
	if _, err := os.Stat(filepath.Join(dir, "data", "nested", "vigil.db")); err != nil {
		t.Fatalf("database file not created: %v", err)
	}
	if err := s.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func TestSQLitePragmas(t *testing.T) {
	s := openStore(t, "sqlite://"+filepath.Join(t.TempDir(), "vigil.db"), Options{})
	for _, c := range []struct {
		pragma, want string
		reader       bool
	}{
		{"journal_mode", "wal", false},
		{"synchronous", "2", false}, // FULL
		{"foreign_keys", "1", false},
		{"busy_timeout", "10000", false},
		{"cache_size", "-8000", false},
		{"temp_store", "2", false}, // MEMORY
		{"wal_autocheckpoint", strconv.Itoa(checkpointBackstop), false},
		{"journal_mode", "wal", true},
		{"query_only", "1", true},
	} {
		db := s.w
		if c.reader {
			db = s.r
		}
		var got string
		if err := db.QueryRow("PRAGMA " + c.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("%s (reader %v) = %q, want %q", c.pragma, c.reader, got, c.want)
		}
	}
	if n := s.w.Stats().MaxOpenConnections; n != 1 {
		t.Errorf("writer MaxOpenConnections = %d, want 1", n)
	}
}

func TestRebind(t *testing.T) {
	q := "SELECT a FROM t WHERE b = ? AND c IN (?, ?)"
	if got := sqliteDialect().rebind(q); got != q {
		t.Errorf("sqlite rebind = %q", got)
	}
	if got, want := postgresDialect().rebind(q), "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"; got != want {
		t.Errorf("postgres rebind = %q, want %q", got, want)
	}
}

// TestExclusiveOpen: a second server on the same database is refused with
// a message naming the holder, on every engine; tools that open without
// Exclusive still can; once the first closes, the next server starts.
func TestExclusiveOpen(t *testing.T) {
	for _, e := range engines(t) {
		t.Run(e.Name, func(t *testing.T) {
			ctx := context.Background()
			dsn := e.Fresh(t)
			first, err := Open(ctx, dsn, Options{Exclusive: true})
			if err != nil {
				t.Fatal(err)
			}
			_, err = Open(ctx, dsn, Options{Exclusive: true})
			if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "another Vigil server is using this database") ||
				!strings.Contains(err.Error(), "serve per database") { // (the test DSN's password is "vigil", scrubbed from errors)
				t.Fatalf("second server: %v", err)
			}
			want := map[string]string{"sqlite": fmt.Sprintf("held by process %d", os.Getpid()), "postgres": "locked by the session of backend"}[e.Name]
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the refusal does not name the holder (%q): %v", want, err)
			}
			tool := openStore(t, dsn, Options{})
			if err := tool.Ping(ctx); err != nil {
				t.Fatal(err)
			}
			if err := first.Close(); err != nil {
				t.Fatal(err)
			}
			next, err := Open(ctx, dsn, Options{Exclusive: true})
			if err != nil {
				t.Fatalf("after the first closed: %v", err)
			}
			if err := next.Close(); err != nil {
				t.Fatal(err)
			}
		})
	}
}
