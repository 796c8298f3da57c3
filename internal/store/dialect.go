package store

import (
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
)

const (
	engineSQLite   = "sqlite"
	enginePostgres = "postgres"
)

// dialect is what differs between the engines once a connection is open.
// Everything else (the SQL text, the store logic) is shared.
type dialect struct {
	name      string
	goose     goose.Dialect
	maxParams int // bind parameters allowed in one statement
	// maxBulkRows caps the rows of one multi-row statement (see bulk).
	maxBulkRows int
	numbered    bool // placeholders are $1, $2, ... rather than ?
	// indexHints pins per-check reads to their index. SQLite has no statistics
	// until ANALYZE runs and then prefers a long primary-key range scan (every
	// check's rows in the window) to the selective index.
	indexHints bool
	// nowMS is the database's clock in unix milliseconds, read when the
	// statement runs: leases and claims are judged by it, never by a
	// replica's clock.
	nowMS string
	// lockRows is the clause that row-locks what a SELECT reads until the
	// transaction ends ("" where the engine has one writer anyway), and
	// skipLocked the one that passes over rows another transaction locked.
	lockRows, shareRows, skipLocked string
}

// now puts the database's clock into a statement written with NOW.
func (d dialect) now(q string) string { return strings.ReplaceAll(q, "NOW_MS", d.nowMS) }

// indexedBy returns the clause that forces index for the table it follows, or
// "" where the planner chooses well by itself.
func (d dialect) indexedBy(index string) string {
	if !d.indexHints {
		return ""
	}
	return " INDEXED BY " + index
}

// rebind rewrites ? placeholders for the dialect. It runs once per statement when
// the Store is opened; our SQL has no ? inside string literals.
func (d dialect) rebind(q string) string {
	if !d.numbered {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + len(q)/4)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] != '?' {
			b.WriteByte(q[i])
			continue
		}
		n++
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(n))
	}
	return b.String()
}
