package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrations holds one directory of goose SQL files per engine. Both directories
// carry the same versions; a new concept adds a file to each.
//
//go:embed migrations
var migrations embed.FS

// migrate applies pending migrations. On Postgres a session advisory lock makes
// replicas that start together take turns: the first migrates, the rest find
// nothing pending.
func (s *Store) migrate(ctx context.Context, db *sql.DB) error {
	dir, err := fs.Sub(migrations, "migrations/"+s.d.name)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	opts := []goose.ProviderOption{
		goose.WithDisableGlobalRegistry(true), // only our embedded files, never goose's package-level registry
		goose.WithSlog(s.opt.Log),
	}
	if s.d.name == enginePostgres {
		// Poll every second for up to five minutes: a peer's migration should be quick.
		locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
		if err != nil {
			return fmt.Errorf("store: migration lock: %w", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	p, err := goose.NewProvider(s.d.goose, db, dir, opts...)
	if err != nil {
		return fmt.Errorf("store: migrations: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("store: migrate %s: %w", s.d.name, err)
	}
	for _, r := range results {
		s.opt.Log.Info("store: applied migration", "engine", s.d.name, "version", r.Source.Version, "took", r.Duration)
	}
	return nil
}

// maxEmbeddedVersion is the newest migration version this build carries
// (the same in both engines' directories).
func maxEmbeddedVersion() (int64, error) {
	entries, err := fs.ReadDir(migrations, "migrations/"+engineSQLite)
	if err != nil {
		return 0, err
	}
	var top int64
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		if !ok {
			continue
		}
		if v, err := strconv.ParseInt(num, 10, 64); err == nil && v > top {
			top = v
		}
	}
	return top, nil
}
