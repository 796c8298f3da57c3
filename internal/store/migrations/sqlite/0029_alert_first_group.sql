-- An alert's first membership of a notification group, kept in the alert's
-- row while it is idle (no one notified, no escalation under way): a new
-- alert then writes one row and its indexes, not a membership row as well,
-- which was about a tenth of the pager's time under a stream of new alerts
-- (BENCHMARKS.md, "Tenth round"). first_group is that group's key, empty
-- when the alert has no such membership; once the membership has a row in
-- alert_routes, that row is the membership, and deleting the membership
-- empties first_group. The store reads the two as one (Store.Members).
-- Keep in step with migrations/postgres.

-- +goose Up
ALTER TABLE alerts ADD COLUMN first_group TEXT NOT NULL DEFAULT '';

-- +goose Down
INSERT INTO alert_routes (alert_id, group_key, notified_ms, esc_step, esc_round, next_esc_ms, reminded_ms, resolved_sent, paged)
    SELECT id, first_group, 0, 0, 0, 0, 0, 0, '[]' FROM alerts
    WHERE first_group <> '' AND NOT EXISTS (
        SELECT 1 FROM alert_routes r WHERE r.alert_id = alerts.id AND r.group_key = alerts.first_group);
ALTER TABLE alerts DROP COLUMN first_group;
