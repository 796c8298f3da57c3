-- On-call overrides made at run time (API, CLI, web app), on top of the
-- config's, and the secrets behind each person's calendar feed link. An
-- override's id only grows (AUTOINCREMENT): of two overlapping overrides the
-- higher id, the more recent, wins. Times are unix milliseconds (*_ms).
-- Keep in step with migrations/postgres.

-- +goose Up
CREATE TABLE oncall_overrides (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule   TEXT    NOT NULL,
    person     TEXT    NOT NULL,
    replacing  TEXT    NOT NULL, -- '' when the person alone is on call
    starts_ms  INTEGER NOT NULL,
    ends_ms    INTEGER NOT NULL,
    note       TEXT    NOT NULL,
    swap_id    INTEGER NOT NULL, -- the first override of a swap, on both halves; 0 when none
    created_by TEXT    NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX oncall_overrides_ends ON oncall_overrides (ends_ms);
CREATE INDEX oncall_overrides_schedule ON oncall_overrides (schedule, ends_ms);

CREATE TABLE calendar_feeds (
    person     TEXT    PRIMARY KEY,
    secret     TEXT    NOT NULL, -- the key a person's feed token is an HMAC of
    rotated_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE calendar_feeds;
DROP TABLE oncall_overrides;
