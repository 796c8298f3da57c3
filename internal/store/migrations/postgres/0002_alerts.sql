-- Alerts, their log, notification groups, the notification outbox, silences
-- and small settings. Ids are assigned by Vigil's single alert writer, so
-- rows of one transaction can refer to each other. Times are unix
-- milliseconds (*_ms); 0 means unset. Keep in step with migrations/sqlite.

-- +goose Up
CREATE TABLE alerts (
    id              BIGINT PRIMARY KEY,
    dedup_key       TEXT    NOT NULL,
    source          TEXT    NOT NULL,
    integration     TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    severity        TEXT    NOT NULL,
    summary         TEXT    NOT NULL,
    service         TEXT    NOT NULL,
    labels          TEXT    NOT NULL,
    annotations     TEXT    NOT NULL,
    links           TEXT    NOT NULL,
    runbook         TEXT    NOT NULL,
    occurrences     BIGINT NOT NULL,
    first_seen_ms   BIGINT NOT NULL,
    last_seen_ms    BIGINT NOT NULL,
    acked_ms        BIGINT NOT NULL,
    acked_by        TEXT    NOT NULL,
    resolved_ms     BIGINT NOT NULL,
    resolved_by     TEXT    NOT NULL,
    updated_ms      BIGINT NOT NULL
);
-- One open alert per problem; a resolved one may be followed by a new one.
CREATE UNIQUE INDEX alerts_open_key ON alerts (dedup_key) WHERE status <> 'resolved';
CREATE INDEX alerts_status ON alerts (status, id);
CREATE INDEX alerts_service ON alerts (service, id);

CREATE TABLE alert_log (
    id       BIGINT PRIMARY KEY,
    alert_id BIGINT NOT NULL,
    at_ms    BIGINT NOT NULL,
    kind     TEXT    NOT NULL,
    actor    TEXT    NOT NULL,
    detail   TEXT    NOT NULL
);
CREATE INDEX alert_log_alert ON alert_log (alert_id, id);

-- An alert's place in a notification group, one per route it matched
-- (continue: true matches several), with that route's escalation state.
CREATE TABLE alert_routes (
    alert_id     BIGINT NOT NULL,
    group_key    TEXT    NOT NULL,
    notified_ms  BIGINT NOT NULL, -- first notification: the escalation's start
    esc_step     BIGINT NOT NULL,
    esc_round    BIGINT NOT NULL,
    next_esc_ms  BIGINT NOT NULL,
    reminded_ms  BIGINT NOT NULL,
    resolved_sent BIGINT NOT NULL,
    PRIMARY KEY (alert_id, group_key)
);
CREATE INDEX alert_routes_group ON alert_routes (group_key);

-- A notification group: alerts of one route and service that share their
-- group_by labels are notified together.
CREATE TABLE alert_groups (
    group_key     TEXT    PRIMARY KEY,
    route         TEXT    NOT NULL,
    service       TEXT    NOT NULL,
    labels        TEXT    NOT NULL,
    created_ms    BIGINT NOT NULL,
    next_flush_ms BIGINT NOT NULL,
    last_flush_ms BIGINT NOT NULL
);

-- The outbox: a notification is written here before it is sent, and stays,
-- with every attempt's outcome, as the delivery history.
CREATE TABLE notifications (
    id              BIGINT PRIMARY KEY,
    created_ms      BIGINT NOT NULL,
    group_key       TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    destination     TEXT    NOT NULL, -- person/ID/contact or channel/ID
    message         TEXT    NOT NULL, -- JSON, channel-neutral
    status          TEXT    NOT NULL, -- pending, sent, failed
    attempts        BIGINT NOT NULL,
    next_attempt_ms BIGINT NOT NULL,
    last_error      TEXT    NOT NULL,
    sent_ms         BIGINT NOT NULL
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_ms);

CREATE TABLE notification_alerts (
    alert_id        BIGINT NOT NULL,
    notification_id BIGINT NOT NULL,
    PRIMARY KEY (alert_id, notification_id)
);

CREATE TABLE silences (
    id         TEXT    PRIMARY KEY,
    matchers   TEXT    NOT NULL, -- JSON list, Alertmanager syntax
    starts_ms  BIGINT NOT NULL,
    ends_ms    BIGINT NOT NULL,
    created_by TEXT    NOT NULL,
    comment    TEXT    NOT NULL,
    created_ms BIGINT NOT NULL,
    updated_ms BIGINT NOT NULL
);

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- +goose Down
DROP TABLE settings;
DROP TABLE silences;
DROP TABLE notification_alerts;
DROP TABLE notifications;
DROP TABLE alert_groups;
DROP TABLE alert_routes;
DROP TABLE alert_log;
DROP TABLE alerts;
