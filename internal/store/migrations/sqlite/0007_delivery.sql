-- Each destination's delivery worker reads its own due notifications, so
-- that a destination with a backlog (one that hangs or is down) never
-- hides another's from the outbox. Keep in step with the other engine.

-- +goose Up
CREATE INDEX notifications_destination ON notifications (destination, status, next_attempt_ms);

-- +goose Down
DROP INDEX notifications_destination;
