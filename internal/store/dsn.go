package store

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// config is a parsed DSN.
type config struct {
	dialect dialect
	path    string   // SQLite file
	dsn     string   // Postgres connection string for pgx
	secrets []string // forms of the password that must never reach an error
}

func parseDSN(dsn string) (config, error) {
	scheme, rest, ok := strings.Cut(dsn, "://")
	if !ok {
		return config{}, errors.New(`store: DSN must look like "sqlite://PATH" or "postgres://USER:PASS@HOST/DB"`)
	}
	switch strings.ToLower(scheme) {
	case "sqlite":
		return parseSQLite(rest)
	case "postgres", "postgresql":
		return parsePostgres(dsn)
	default:
		// Only the scheme is echoed: the rest may hold a password.
		return config{}, fmt.Errorf("store: unknown DSN scheme %q (want sqlite or postgres)", scheme)
	}
}

func parseSQLite(path string) (config, error) {
	switch {
	case path == "":
		return config{}, errors.New(`store: sqlite DSN has no path (want "sqlite://vigil.db" or "sqlite:///abs/path/vigil.db")`)
	case strings.Contains(path, ":memory:") || strings.HasPrefix(path, "file:"):
		return config{}, errors.New("store: sqlite DSN must name a file; in-memory and URI databases are not supported")
	case strings.ContainsAny(path, "?#"):
		// The driver treats '?' as the start of its own parameters.
		return config{}, fmt.Errorf("store: sqlite path %q must not contain '?' or '#'", path)
	}
	return config{dialect: sqliteDialect(), path: path}, nil
}

func parsePostgres(dsn string) (config, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		// url errors quote the whole input, password included.
		return config{}, errors.New("store: malformed postgres DSN")
	}
	var secrets []string
	if pw, ok := u.User.Password(); ok {
		secrets = append(secrets, pw)
	}
	q := u.Query()
	for _, k := range []string{"password", "sslpassword"} {
		if v := q.Get(k); v != "" {
			secrets = append(secrets, v)
		}
	}
	// Also scrub the escaped spellings a driver might echo back.
	for _, pw := range secrets {
		secrets = append(secrets, url.QueryEscape(pw), url.PathEscape(pw), url.UserPassword("", pw).String()[1:])
	}
	if q.Get("application_name") == "" {
		q.Set("application_name", "vigil") // names our sessions in pg_stat_activity
		u.RawQuery = q.Encode()
	}
	return config{dialect: postgresDialect(), dsn: u.String(), secrets: secrets}, nil
}

// redactedError carries an error whose text had secrets removed.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// redact returns err with every secret replaced by "xxxxx".
func (s *Store) redact(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, sec := range s.secrets {
		if sec != "" {
			msg = strings.ReplaceAll(msg, sec, "xxxxx")
		}
	}
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}
