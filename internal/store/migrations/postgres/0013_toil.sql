-- The toil ledger: work people log by hand (what Vigil records itself, it
-- reads from the alerts, notifications, runs, audit and incident tables
-- when asked), and the edits made to toil items' plan text through the API.
-- Times are unix milliseconds (*_ms). Keep in step with migrations/sqlite.

-- +goose Up
CREATE TABLE toil_entries (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms           BIGINT  NOT NULL, -- when the work started
    minutes         INTEGER NOT NULL,
    person          TEXT    NOT NULL,
    service         TEXT    NOT NULL, -- '' when none
    item            TEXT    NOT NULL, -- toil item id, '' when unclassified
    text            TEXT    NOT NULL,
    source          TEXT    NOT NULL, -- manual
    idempotency_key TEXT    NOT NULL, -- '' when none
    created_by      TEXT    NOT NULL,
    created_ms      BIGINT  NOT NULL
);
CREATE INDEX toil_entries_at ON toil_entries (at_ms, id);
-- A retried request carries the same key and must not add a second entry.
CREATE UNIQUE INDEX toil_entries_key ON toil_entries (idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX toil_entries_person ON toil_entries (person, at_ms);

-- NULL means "not edited": the config's text stands.
CREATE TABLE toil_item_edits (
    item       TEXT    PRIMARY KEY,
    impact     TEXT,
    benefit    TEXT,
    status     TEXT,
    updated_by TEXT    NOT NULL,
    updated_ms BIGINT  NOT NULL
);

-- Toil reads pages, alerts and runs by time.
CREATE INDEX notifications_created ON notifications (created_ms, id);
CREATE INDEX alerts_first_seen ON alerts (first_seen_ms, id);
CREATE INDEX runs_created ON runs (created_ms);

-- +goose Down
DROP INDEX runs_created;
DROP INDEX alerts_first_seen;
DROP INDEX notifications_created;
DROP TABLE toil_item_edits;
DROP TABLE toil_entries;
