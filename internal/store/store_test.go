package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// engine is one database the contract runs against; fresh returns the DSN of a
// new, empty database that is removed when the test ends.
type engine struct {
	name  string
	fresh func(testing.TB) string
}

// engines returns SQLite always and Postgres when VIGIL_TEST_POSTGRES holds a DSN.
func engines(tb testing.TB) []engine {
	es := []engine{{name: engineSQLite, fresh: func(tb testing.TB) string {
		return "sqlite://" + filepath.Join(tb.TempDir(), "vigil.db")
	}}}
	if base := os.Getenv("VIGIL_TEST_POSTGRES"); base != "" {
		es = append(es, engine{name: enginePostgres, fresh: func(tb testing.TB) string { return pgSchema(tb, base) }})
	} else {
		tb.Log("VIGIL_TEST_POSTGRES not set; Postgres skipped (see .ci/postgres.sh)")
	}
	return es
}

// pgSchema creates a schema of its own for one test and returns base with
// search_path pointing at it, so tests never see each other's tables.
func pgSchema(tb testing.TB, base string) string {
	tb.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	schema := "t_" + strings.ToLower(rand.Text()[:12])
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		db.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// openStore opens dsn and closes the Store when the test ends.
func openStore(tb testing.TB, dsn string, opt Options) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dsn, opt)
	if err != nil {
		tb.Fatalf("Open: %v", err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

// TestStore runs the store contract against every available engine.
func TestStore(t *testing.T) {
	cases := []struct {
		name string
		fn   func(*testing.T, engine)
	}{
		{"MigrationsIdempotent", testMigrationsIdempotent},
		{"ConcurrentOpenMigratesOnce", testConcurrentOpen},
		{"RegisterChecks", testRegisterChecks},
		{"States", testStates},
		{"ResultsRing", testResultsRing},
		{"Conditions", testConditions},
		{"Events", testEvents},
		{"BucketDeltas", testBucketDeltas},
		{"SumBucketsWindow", testSumBucketsWindow},
		{"BucketsOrdered", testBucketsOrdered},
		{"Prune", testPrune},
		{"UnknownCheckRejected", testUnknownCheckRejected},
		{"Observe", testObserve},
	}
	for _, e := range engines(t) {
		t.Run(e.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) { c.fn(t, e) })
			}
		})
	}
}
