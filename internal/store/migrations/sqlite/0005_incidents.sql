-- Incidents, their timeline, the alerts linked to them, their action items,
-- and deploys (recorded on their own, so an incident can be set against the
-- deploys around it). AUTOINCREMENT keeps ids from ever being reused. Times
-- are unix milliseconds (*_ms); 0 means unset. Keep in step with
-- migrations/postgres.

-- +goose Up
CREATE TABLE incidents (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    title           TEXT    NOT NULL,
    severity        TEXT    NOT NULL, -- SEV1..SEV4
    status          TEXT    NOT NULL,
    services        TEXT    NOT NULL, -- JSON list, as given; incident_services indexes it
    summary         TEXT    NOT NULL,
    roles           TEXT    NOT NULL, -- JSON object: role -> person id
    declared_by     TEXT    NOT NULL,
    started_ms      INTEGER NOT NULL,
    detected_ms     INTEGER NOT NULL,
    declared_ms     INTEGER NOT NULL,
    acknowledged_ms INTEGER NOT NULL,
    identified_ms   INTEGER NOT NULL,
    mitigated_ms    INTEGER NOT NULL,
    resolved_ms     INTEGER NOT NULL,
    postmortem      TEXT    NOT NULL, -- JSON object: section -> text
    updated_ms      INTEGER NOT NULL
);
CREATE INDEX incidents_declared ON incidents (declared_ms, id);

-- One row per service an incident affects, so that a filter on "shop" finds
-- exactly "shop" and never "shop-api".
CREATE TABLE incident_services (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    service     TEXT    NOT NULL,
    PRIMARY KEY (incident_id, service)
) WITHOUT ROWID;
CREATE INDEX incident_services_service ON incident_services (service, incident_id);

-- Entries may be backdated (a note about what happened earlier), so reads
-- order by at_ms and only then by id.
CREATE TABLE incident_timeline (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    at_ms       INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    source      TEXT    NOT NULL
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, at_ms, id);

-- alert_id has no foreign key: the pager owns the alerts table and its ids,
-- and a link must not depend on the order the two are written in.
CREATE TABLE incident_alerts (
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    alert_id    INTEGER NOT NULL,
    PRIMARY KEY (incident_id, alert_id)
) WITHOUT ROWID;
CREATE INDEX incident_alerts_alert ON incident_alerts (alert_id, incident_id);

CREATE TABLE action_items (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    incident_id INTEGER NOT NULL REFERENCES incidents (id),
    item        TEXT    NOT NULL,
    item_type   TEXT    NOT NULL, -- mitigate, prevent, process
    owner       TEXT    NOT NULL,
    tracking    TEXT    NOT NULL,
    status      TEXT    NOT NULL, -- open, done, wontfix
    due_ms      INTEGER NOT NULL,
    links       TEXT    NOT NULL, -- JSON list
    created_ms  INTEGER NOT NULL,
    updated_ms  INTEGER NOT NULL
);
CREATE INDEX action_items_incident ON action_items (incident_id, id);

CREATE TABLE deploys (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    service     TEXT    NOT NULL,
    version     TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    artifact    TEXT    NOT NULL,
    deployed_by TEXT    NOT NULL,
    at_ms       INTEGER NOT NULL,
    notes       TEXT    NOT NULL
);
CREATE INDEX deploys_service ON deploys (service, at_ms);
CREATE INDEX deploys_at ON deploys (at_ms);

-- +goose Down
DROP TABLE deploys;
DROP TABLE action_items;
DROP TABLE incident_alerts;
DROP TABLE incident_timeline;
DROP TABLE incident_services;
DROP TABLE incidents;
