-- Replicas on one Postgres: who is alive, which replica holds each module's
-- lease (with its fencing epoch), broadcast signals, and the inbox through
-- which any replica hands a request to the replica that owns the work.
-- Every *_ms here that a lease or a liveness test compares is the
-- database's clock, never a replica's. SQLite, one process,
-- keeps the same tables so both engines share one schema.
-- Keep in step with migrations/sqlite.

-- +goose Up
CREATE TABLE cluster_members (
    id             TEXT   PRIMARY KEY, -- random per process start: a restart is a new member
    name           TEXT   NOT NULL,
    host           TEXT   NOT NULL,
    url            TEXT   NOT NULL,
    version        TEXT   NOT NULL,    -- vigil's version
    modules        TEXT   NOT NULL,    -- JSON {"pager": 1, ...}: the module versions it runs
    schema_version BIGINT NOT NULL,    -- the newest migration it knows
    config_hash    TEXT   NOT NULL,
    started_ms     BIGINT NOT NULL,
    last_seen_ms   BIGINT NOT NULL,
    gone_ms        BIGINT NOT NULL     -- 0 while alive; set once it missed its heartbeats
);

CREATE TABLE cluster_leases (
    module      TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,   -- a member id; '' once released
    epoch       BIGINT  NOT NULL,   -- grows on every change of holder: the fencing token
    version     INTEGER NOT NULL,   -- the highest module version that has held it
    acquired_ms BIGINT  NOT NULL,
    renewed_ms  BIGINT  NOT NULL,
    expires_ms  BIGINT  NOT NULL,
    failovers   BIGINT  NOT NULL    -- takeovers from a holder that did not let go
);

CREATE TABLE cluster_signals (
    name       TEXT   PRIMARY KEY,  -- config, overrides, silences
    generation BIGINT NOT NULL,
    sender     TEXT   NOT NULL,
    at_ms      BIGINT NOT NULL
);

CREATE TABLE cluster_inbox (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    module     TEXT    NOT NULL,   -- the module that applies it: pager
    key        TEXT    NOT NULL,   -- what within the module it is for; '' for the pager
    format     INTEGER NOT NULL,   -- payload format version
    payload    TEXT    NOT NULL,   -- JSON
    status     TEXT    NOT NULL,   -- pending, done
    outcome    TEXT    NOT NULL,   -- JSON, once done
    sender     TEXT    NOT NULL,   -- the member that took the request
    created_ms BIGINT  NOT NULL,
    done_ms    BIGINT  NOT NULL
);
CREATE INDEX cluster_inbox_pending ON cluster_inbox (module, id) WHERE status = 'pending';
CREATE INDEX cluster_inbox_done ON cluster_inbox (done_ms) WHERE status = 'done';

-- +goose Down
DROP TABLE cluster_inbox;
DROP TABLE cluster_signals;
DROP TABLE cluster_leases;
DROP TABLE cluster_members;
