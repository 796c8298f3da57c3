-- What holds an open alert back from paging, as the pager last decided it:
-- JSON {"silenced_by": [...], "maintenance": "...", "inhibited": true}, or
-- '' when nothing does. Stored with the alert so the API, pages and status
-- page read it without evaluating every open alert, and a restart keeps it.
-- Keep in step with the other engine.

-- +goose Up
ALTER TABLE alerts ADD COLUMN suppression TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE alerts DROP COLUMN suppression;
