-- Replicas on one Postgres: who is alive, which replica holds each module's
-- lease (with its fencing epoch), broadcast signals, and the inbox through
-- which any replica hands a request to the replica that owns the work.
-- Every *_ms here that a lease or a liveness test compares is the
-- database's clock, never a replica's. SQLite, one process,
-- keeps the same tables so both engines share one schema.
-- Keep in step with migrations/postgres.

-- +goose Up
CREATE TABLE cluster_members (
    id             TEXT    PRIMARY KEY,
    name           TEXT    NOT NULL,
    host           TEXT    NOT NULL,
    url            TEXT    NOT NULL,
    version        TEXT    NOT NULL,
    modules        TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    config_hash    TEXT    NOT NULL,
    started_ms     INTEGER NOT NULL,
    last_seen_ms   INTEGER NOT NULL,
    gone_ms        INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE cluster_leases (
    module      TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,
    epoch       INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    acquired_ms INTEGER NOT NULL,
    renewed_ms  INTEGER NOT NULL,
    expires_ms  INTEGER NOT NULL,
    failovers   INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE cluster_signals (
    name       TEXT    PRIMARY KEY,
    generation INTEGER NOT NULL,
    sender     TEXT    NOT NULL,
    at_ms      INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE cluster_inbox (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    module     TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    format     INTEGER NOT NULL,
    payload    TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    outcome    TEXT    NOT NULL,
    sender     TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    done_ms    INTEGER NOT NULL
);
CREATE INDEX cluster_inbox_pending ON cluster_inbox (module, id) WHERE status = 'pending';
CREATE INDEX cluster_inbox_done ON cluster_inbox (done_ms) WHERE status = 'done';

-- +goose Down
DROP TABLE cluster_inbox;
DROP TABLE cluster_signals;
DROP TABLE cluster_leases;
DROP TABLE cluster_members;
