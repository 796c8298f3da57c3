-- A notification being sent is claimed by one replica until a sending
-- deadline on the database's clock; a replica that dies mid-send leaves
-- the claim to expire, and whoever claims after that sends it again.
-- Keep in step with migrations/postgres.

-- +goose Up
ALTER TABLE notifications ADD COLUMN claimed_by TEXT NOT NULL DEFAULT '';
ALTER TABLE notifications ADD COLUMN claim_until_ms INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE notifications DROP COLUMN claim_until_ms;
ALTER TABLE notifications DROP COLUMN claimed_by;
