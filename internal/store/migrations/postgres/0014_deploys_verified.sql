-- Deploys that verify themselves: a deploy names the release it carries,
-- the commits in it (for lead time), how it went and where the record came
-- from; its verification (the acceptance checks' verdict) is a row of its
-- own, written with the deploy in one transaction. Times are unix
-- milliseconds (*_ms); 0 means unset. Keep in step with migrations/sqlite.

-- +goose Up
ALTER TABLE deploys ADD COLUMN release_id BIGINT  NOT NULL DEFAULT 0; -- 0: none
ALTER TABLE deploys ADD COLUMN status     TEXT    NOT NULL DEFAULT 'succeeded'; -- succeeded, failed, rolled_back
ALTER TABLE deploys ADD COLUMN commits    TEXT    NOT NULL DEFAULT '';  -- JSON list of {sha, at}, '' when none
ALTER TABLE deploys ADD COLUMN source     TEXT    NOT NULL DEFAULT 'api'; -- api, or pagerduty/INTEGRATION for change events

CREATE TABLE deploy_verifications (
    deploy_id    BIGINT PRIMARY KEY REFERENCES deploys (id),
    status       TEXT    NOT NULL, -- pending, passed, failed
    checks       TEXT    NOT NULL, -- JSON list: each check's progress and verdict
    reason       TEXT    NOT NULL,
    started_ms   BIGINT  NOT NULL,
    deadline_ms  BIGINT  NOT NULL,
    concluded_ms BIGINT  NOT NULL,
    alert_id     BIGINT  NOT NULL, -- the alert a failure raised; 0: none
    rollback_run TEXT    NOT NULL  -- the run of deploy.on_failure; '' when none
);
-- Pending verifications are resumed at start.
CREATE INDEX deploy_verifications_status ON deploy_verifications (status, deadline_ms);

-- +goose Down
DROP TABLE deploy_verifications;
ALTER TABLE deploys DROP COLUMN source;
ALTER TABLE deploys DROP COLUMN commits;
ALTER TABLE deploys DROP COLUMN status;
ALTER TABLE deploys DROP COLUMN release_id;
