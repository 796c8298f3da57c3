-- Monitoring data: configured checks, their current state, a capped ring of raw
-- results, state-change events and uptime rollups. Times are unix milliseconds
-- (*_ms), durations microseconds (*_us). Keep in step with migrations/postgres.

-- +goose Up
CREATE TABLE checks (
    id      INTEGER PRIMARY KEY,
    service TEXT NOT NULL,
    name    TEXT NOT NULL,
    kind    TEXT NOT NULL,
    UNIQUE (service, name)
);

CREATE TABLE check_state (
    check_id        INTEGER PRIMARY KEY REFERENCES checks (id),
    state           TEXT    NOT NULL,
    reason          TEXT    NOT NULL,
    since_ms        INTEGER NOT NULL,
    last_checked_ms INTEGER NOT NULL,
    last_status     TEXT    NOT NULL,
    last_dur_us     INTEGER NOT NULL,
    fails           INTEGER NOT NULL,
    passes          INTEGER NOT NULL,
    history         TEXT    NOT NULL,
    flapping        INTEGER NOT NULL,
    seq             INTEGER NOT NULL
);

-- A ring per check: slot = seq % keep, overwritten in place, so raw history is
-- capped without DELETEs.
CREATE TABLE results (
    check_id   INTEGER NOT NULL REFERENCES checks (id),
    slot       INTEGER NOT NULL,
    seq        INTEGER NOT NULL,
    at_ms      INTEGER NOT NULL,
    dur_us     INTEGER NOT NULL,
    status     TEXT    NOT NULL,
    error      TEXT    NOT NULL,
    reason     TEXT    NOT NULL,
    conditions TEXT    NOT NULL, -- JSON array, '' when none
    PRIMARY KEY (check_id, slot)
) WITHOUT ROWID;

CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    check_id   INTEGER NOT NULL REFERENCES checks (id),
    at_ms      INTEGER NOT NULL,
    from_state TEXT    NOT NULL,
    to_state   TEXT    NOT NULL,
    reason     TEXT    NOT NULL
);
CREATE INDEX events_check_at ON events (check_id, at_ms, id);
CREATE INDEX events_at ON events (at_ms, id);

-- res_s is the bucket width in seconds (60, 3600, 86400).
CREATE TABLE buckets (
    check_id   INTEGER NOT NULL REFERENCES checks (id),
    res_s      INTEGER NOT NULL,
    start_ms   INTEGER NOT NULL,
    n          INTEGER NOT NULL,
    fails      INTEGER NOT NULL,
    warns      INTEGER NOT NULL,
    up_ms      INTEGER NOT NULL,
    down_ms    INTEGER NOT NULL,
    dur_sum_us INTEGER NOT NULL,
    dur_max_us INTEGER NOT NULL,
    PRIMARY KEY (res_s, start_ms, check_id)
) WITHOUT ROWID;
-- Keyed by time first: a flush touches every check's current buckets, which
-- then sit side by side on a few pages instead of one page per check. The
-- index serves per-check reads; upserts of existing rows never change it.
CREATE INDEX buckets_check ON buckets (check_id, res_s, start_ms);

-- +goose Down
DROP TABLE buckets;
DROP TABLE events;
DROP TABLE results;
DROP TABLE check_state;
DROP TABLE checks;
