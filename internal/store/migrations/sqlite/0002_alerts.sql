-- Alerts, their log, notification groups, the notification outbox, silences
-- and small settings. Ids are assigned by Vigil's single alert writer, so
-- rows of one transaction can refer to each other. Times are unix
-- milliseconds (*_ms); 0 means unset. Keep in step with migrations/postgres.

-- +goose Up
CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
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
    occurrences     INTEGER NOT NULL,
    first_seen_ms   INTEGER NOT NULL,
    last_seen_ms    INTEGER NOT NULL,
    acked_ms        INTEGER NOT NULL,
    acked_by        TEXT    NOT NULL,
    resolved_ms     INTEGER NOT NULL,
    resolved_by     TEXT    NOT NULL,
    updated_ms      INTEGER NOT NULL
);
-- One open alert per problem; a resolved one may be followed by a new one.
CREATE UNIQUE INDEX alerts_open_key ON alerts (dedup_key) WHERE status <> 'resolved';
CREATE INDEX alerts_status ON alerts (status, id);
CREATE INDEX alerts_service ON alerts (service, id);

CREATE TABLE alert_log (
    id       INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL,
    at_ms    INTEGER NOT NULL,
    kind     TEXT    NOT NULL,
    actor    TEXT    NOT NULL,
    detail   TEXT    NOT NULL
);
CREATE INDEX alert_log_alert ON alert_log (alert_id, id);

-- An alert's place in a notification group, one per route it matched
-- (continue: true matches several), with that route's escalation state.
CREATE TABLE alert_routes (
    alert_id     INTEGER NOT NULL,
    group_key    TEXT    NOT NULL,
    notified_ms  INTEGER NOT NULL, -- first notification: the escalation's start
    esc_step     INTEGER NOT NULL,
    esc_round    INTEGER NOT NULL,
    next_esc_ms  INTEGER NOT NULL,
    reminded_ms  INTEGER NOT NULL,
    resolved_sent INTEGER NOT NULL,
    PRIMARY KEY (alert_id, group_key)
) WITHOUT ROWID;
CREATE INDEX alert_routes_group ON alert_routes (group_key);

-- A notification group: alerts of one route and service that share their
-- group_by labels are notified together.
CREATE TABLE alert_groups (
    group_key     TEXT    PRIMARY KEY,
    route         TEXT    NOT NULL,
    service       TEXT    NOT NULL,
    labels        TEXT    NOT NULL,
    created_ms    INTEGER NOT NULL,
    next_flush_ms INTEGER NOT NULL,
    last_flush_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- The outbox: a notification is written here before it is sent, and stays,
-- with every attempt's outcome, as the delivery history.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    created_ms      INTEGER NOT NULL,
    group_key       TEXT    NOT NULL,
    kind            TEXT    NOT NULL,
    destination     TEXT    NOT NULL, -- person/ID/contact or channel/ID
    message         TEXT    NOT NULL, -- JSON, channel-neutral
    status          TEXT    NOT NULL, -- pending, sent, failed
    attempts        INTEGER NOT NULL,
    next_attempt_ms INTEGER NOT NULL,
    last_error      TEXT    NOT NULL,
    sent_ms         INTEGER NOT NULL
);
CREATE INDEX notifications_due ON notifications (status, next_attempt_ms);

CREATE TABLE notification_alerts (
    alert_id        INTEGER NOT NULL,
    notification_id INTEGER NOT NULL,
    PRIMARY KEY (alert_id, notification_id)
) WITHOUT ROWID;

CREATE TABLE silences (
    id         TEXT    PRIMARY KEY,
    matchers   TEXT    NOT NULL, -- JSON list, Alertmanager syntax
    starts_ms  INTEGER NOT NULL,
    ends_ms    INTEGER NOT NULL,
    created_by TEXT    NOT NULL,
    comment    TEXT    NOT NULL,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- +goose Down
DROP TABLE settings;
DROP TABLE silences;
DROP TABLE notification_alerts;
DROP TABLE notifications;
DROP TABLE alert_groups;
DROP TABLE alert_routes;
DROP TABLE alert_log;
DROP TABLE alerts;
