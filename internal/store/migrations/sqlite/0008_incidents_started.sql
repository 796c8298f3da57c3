-- Incident lists put the latest impact start first. Keep in step with
-- migrations/postgres.

-- +goose Up
CREATE INDEX incidents_started ON incidents (started_ms, id);

-- +goose Down
DROP INDEX incidents_started;
