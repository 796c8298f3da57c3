-- A run is executed by one replica, its runner, which renews a lease on
-- the run (lease_until_ms, on the database's clock) while it runs. Writes
-- of the run are fenced by the lease; a run whose lease ran out is claimed
-- by another replica, which resumes it or marks it interrupted. Rows from
-- before have no runner and an expired lease: the first replica to look
-- claims them. Keep in step with migrations/sqlite.

-- +goose Up
ALTER TABLE runs ADD COLUMN runner TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN lease_until_ms BIGINT NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE runs DROP COLUMN lease_until_ms;
ALTER TABLE runs DROP COLUMN runner;
