-- An alert's first log entry, "fired", kept in the alert's row: a new alert
-- then writes one row and its indexes, not a second row with an index of
-- its own, which was about a tenth of the pager's time under a stream of
-- new alerts (BENCHMARKS.md, "Eighth round"). fired_log_id is the entry's
-- id, from the log's sequence; 0 means the entry is in alert_log, as it is
-- for alerts opened before this migration. The store reads the two as one
-- log (Store.AlertLogs). Keep in step with migrations/sqlite.

-- +goose Up
ALTER TABLE alerts ADD COLUMN fired_log_id BIGINT NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN fired_ms BIGINT NOT NULL DEFAULT 0;
ALTER TABLE alerts ADD COLUMN fired_by TEXT NOT NULL DEFAULT '';
ALTER TABLE alerts ADD COLUMN fired_detail TEXT NOT NULL DEFAULT '';

-- +goose Down
-- An empty actor or detail stands for the row's source/integration and
-- summary (store.firedText).
INSERT INTO alert_log (id, alert_id, at_ms, kind, actor, detail)
    SELECT fired_log_id, id, fired_ms, 'fired',
        CASE fired_by WHEN '' THEN source || CASE integration WHEN '' THEN '' ELSE '/' || integration END ELSE fired_by END,
        CASE fired_detail WHEN '' THEN summary ELSE fired_detail END
    FROM alerts WHERE fired_log_id <> 0;
ALTER TABLE alerts DROP COLUMN fired_detail;
ALTER TABLE alerts DROP COLUMN fired_by;
ALTER TABLE alerts DROP COLUMN fired_ms;
ALTER TABLE alerts DROP COLUMN fired_log_id;
