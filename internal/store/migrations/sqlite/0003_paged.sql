-- Who was paged about an alert through each of its notification groups, as a
-- JSON array of destinations, so that after a restart the resolved notice and
-- reminders go to exactly those, per group. Keep in step with the other engine.

-- +goose Up
ALTER TABLE alert_routes ADD COLUMN paged TEXT NOT NULL DEFAULT '[]';

-- +goose Down
ALTER TABLE alert_routes DROP COLUMN paged;
