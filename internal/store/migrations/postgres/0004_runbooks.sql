-- Runbook runs, their steps and the audit log. A run's id is random and given
-- by Vigil; a step is one row per position, updated in place as it is retried.
-- The audit log is append-only: nothing updates or deletes its rows. Times are
-- unix milliseconds (*_ms); 0 means unset. Keep in step with migrations/sqlite.

-- +goose Up
CREATE TABLE runs (
    id                  TEXT    PRIMARY KEY,
    runbook             TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    trigger_kind        TEXT    NOT NULL, -- manual, alert, schedule, webhook, runbook
    triggered_by        TEXT    NOT NULL,
    alert_id            BIGINT  NOT NULL, -- 0 when none
    parent_run_id       TEXT    NOT NULL,
    depth               INTEGER NOT NULL,
    params              TEXT    NOT NULL, -- JSON object
    dry_run             BOOLEAN NOT NULL,
    lock_key            TEXT    NOT NULL,
    reason              TEXT    NOT NULL,
    approved_by         TEXT    NOT NULL,
    created_ms          BIGINT  NOT NULL,
    started_ms          BIGINT  NOT NULL,
    ended_ms            BIGINT  NOT NULL,
    approval_expires_ms BIGINT  NOT NULL
);
CREATE INDEX runs_runbook ON runs (runbook, created_ms);
CREATE INDEX runs_alert ON runs (alert_id, created_ms);
CREATE INDEX runs_status ON runs (status, created_ms);
CREATE INDEX runs_lock ON runs (lock_key, created_ms);

-- A step's row is rewritten at every attempt and again when it ends; spare
-- page room lets Postgres update it in place (HOT), as no indexed column changes.
CREATE TABLE run_steps (
    run_id     TEXT    NOT NULL REFERENCES runs (id),
    seq        INTEGER NOT NULL,
    step_id    TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    attempt    INTEGER NOT NULL,
    exit_code  INTEGER NOT NULL,
    has_exit   BOOLEAN NOT NULL,
    stdout     TEXT    NOT NULL,
    stderr     TEXT    NOT NULL,
    detail     TEXT    NOT NULL,
    error      TEXT    NOT NULL,
    idempotent BOOLEAN NOT NULL,
    started_ms BIGINT  NOT NULL,
    ended_ms   BIGINT  NOT NULL,
    PRIMARY KEY (run_id, seq)
) WITH (fillfactor = 80);

CREATE TABLE audit_log (
    id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at_ms   BIGINT NOT NULL,
    actor   TEXT   NOT NULL,
    action  TEXT   NOT NULL,
    runbook TEXT   NOT NULL,
    run_id  TEXT   NOT NULL,
    detail  TEXT   NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at_ms, id);
CREATE INDEX audit_log_run ON audit_log (run_id, at_ms, id);

-- +goose Down
DROP TABLE audit_log;
DROP TABLE run_steps;
DROP TABLE runs;
