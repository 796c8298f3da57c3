// Package storetest gives tests fresh, isolated databases for every engine the
// store supports: a SQLite file always, and a Postgres schema of its own when
// VIGIL_TEST_POSTGRES holds a DSN (CI always sets it; see .ci/postgres.sh).
package storetest

import (
	"crypto/rand"
	"database/sql"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the pgx driver
)

// Engine is one database the tests run against.
type Engine struct {
	Name string
	// Fresh returns the DSN of a new, empty database removed when tb ends.
	Fresh func(tb testing.TB) string
}

// Engines returns SQLite always and Postgres when VIGIL_TEST_POSTGRES is set.
func Engines(tb testing.TB) []Engine {
	es := []Engine{{Name: "sqlite", Fresh: func(tb testing.TB) string {
		return "sqlite://" + filepath.Join(tb.TempDir(), "vigil.db")
	}}}
	if base := os.Getenv("VIGIL_TEST_POSTGRES"); base != "" {
		es = append(es, Engine{Name: "postgres", Fresh: func(tb testing.TB) string { return PostgresSchema(tb, base) }})
	} else {
		tb.Log("VIGIL_TEST_POSTGRES not set; Postgres skipped (see .ci/postgres.sh)")
	}
	return es
}

// PostgresSchema creates a schema of its own for one test and returns base
// with search_path pointing at it, so tests never see each other's tables.
func PostgresSchema(tb testing.TB, base string) string {
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
	return withSearchPath(tb, base, schema)
}

// PostgresKeptSchema is PostgresSchema for benchmarks whose data takes
// minutes to write: the schema is created when missing and kept after tb
// ends, so the next run finds its rows.
func PostgresKeptSchema(tb testing.TB, base, schema string) string {
	tb.Helper()
	db, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("CREATE SCHEMA IF NOT EXISTS " + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	return withSearchPath(tb, base, schema)
}

// withSearchPath is the DSN base with search_path set to schema.
func withSearchPath(tb testing.TB, base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
