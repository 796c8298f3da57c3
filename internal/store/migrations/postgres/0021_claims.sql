-- Work claimed by one replica at a time: a notification being sent, a
-- runbook run in flight. A claim names its replica and lasts until a time
-- on the database's clock; a replica that dies leaves its claims to expire,
-- and whoever claims after that retries the send or resumes the run. Check
-- alerts resolved by hand while their check fails wait here for the
-- replica that probes the check.
-- Keep in step with migrations/sqlite.

-- +goose Up
ALTER TABLE notifications ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN claim_until_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN runner TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN lease_until_ms BIGINT NOT NULL DEFAULT 0;
CREATE INDEX runs_unfinished ON runs (lease_until_ms) WHERE status IN ('pending', 'running', 'awaiting_approval');

CREATE TABLE check_reopen (
    check_key TEXT   PRIMARY KEY, -- service/check
    at_ms     BIGINT NOT NULL
);

-- +goose Down
DROP TABLE check_reopen;
DROP INDEX runs_unfinished;
ALTER TABLE runs DROP COLUMN lease_until_ms;
ALTER TABLE runs DROP COLUMN runner;
ALTER TABLE notifications DROP COLUMN claim_until_ms;
ALTER TABLE notifications DROP COLUMN claimed_by;
