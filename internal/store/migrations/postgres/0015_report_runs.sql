-- Scheduled reports: one row per report and scheduled time, claimed before
-- it is rendered, so a report is rendered once per schedule even across
-- restarts; it keeps the document as history. Times are unix milliseconds
-- (*_ms); 0 means unset. Keep in step with migrations/sqlite.

-- +goose Up
CREATE TABLE report_runs (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    report       TEXT    NOT NULL, -- the report's config id
    kind         TEXT    NOT NULL, -- oncall, toil, ...
    scheduled_ms BIGINT  NOT NULL, -- when it was due
    from_ms      BIGINT  NOT NULL, -- the period it covers
    to_ms        BIGINT  NOT NULL,
    status       TEXT    NOT NULL, -- claimed, rendered, queued, failed
    claimed_ms   BIGINT  NOT NULL,
    finished_ms  BIGINT  NOT NULL,
    title        TEXT    NOT NULL,
    summary      TEXT    NOT NULL,
    document     TEXT    NOT NULL, -- Markdown
    data         TEXT    NOT NULL, -- the report as JSON
    targets      TEXT    NOT NULL, -- JSON list, as configured when it ran
    error        TEXT    NOT NULL,
    UNIQUE (report, scheduled_ms)
);
CREATE INDEX report_runs_status ON report_runs (status, claimed_ms);

-- +goose Down
DROP TABLE report_runs;
