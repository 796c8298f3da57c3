-- What holds an open alert back from paging, as the pager last decided it:
-- JSON {"silenced_by": [...], "maintenance": "...", "inhibited": true}, or
-- '' when nothing does. Stored with the alert so the API, pages and status
-- page read it without evaluating every open alert, and a restart keeps it.
-- Keep in step with the other engine.

-- +goose Up
ALTER TABLE alerts ADD COLUMN suppression TEXT NOT NULL DEFAULT '';
-- Covers counting open alerts by service and severity, held back or not
-- (the status page), without reading the alerts.
CREATE INDEX alerts_open_counts ON alerts (service, severity, (suppression <> '')) WHERE status <> 'resolved';

-- +goose Down
DROP INDEX alerts_open_counts;
ALTER TABLE alerts DROP COLUMN suppression;
