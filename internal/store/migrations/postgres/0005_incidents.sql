-- Incidents, their timeline, the alerts linked to them, their action items,
-- and deploys (recorded on their own, so an incident can be set against the
-- deploys around it). Identity columns never reuse an id. Times are unix
-- milliseconds (*_ms); 0 means unset. Keep in step with migrations/sqlite.

-- +goose Up
CREATE TABLE incidents (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title           TEXT    NOT NULL,
    severity        TEXT    NOT NULL, -- SEV1..SEV4
    status          TEXT    NOT NULL,
    services        TEXT    NOT NULL, -- JSON list, as given; incident_services indexes it
    summary         TEXT    NOT NULL,
    roles           TEXT    NOT NULL, -- JSON object: role -> person id
    declared_by     TEXT    NOT NULL,
    started_ms      BIGINT  NOT NULL,
    detected_ms     BIGINT  NOT NULL,
    declared_ms     BIGINT  NOT NULL,
    acknowledged_ms BIGINT  NOT NULL,
    identified_ms   BIGINT  NOT NULL,
    mitigated_ms    BIGINT  NOT NULL,
    resolved_ms     BIGINT  NOT NULL,
    postmortem      TEXT    NOT NULL, -- JSON object: section -> text
    updated_ms      BIGINT  NOT NULL
);
CREATE INDEX incidents_declared ON incidents (declared_ms, id);

-- One row per service an incident affects, so that a filter on "shop" finds
-- exactly "shop" and never "shop-api".
CREATE TABLE incident_services (
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    service     TEXT    NOT NULL,
    PRIMARY KEY (incident_id, service)
);
CREATE INDEX incident_services_service ON incident_services (service, incident_id);

-- Entries may be backdated (a note about what happened earlier), so reads
-- order by at_ms and only then by id.
CREATE TABLE incident_timeline (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    at_ms       BIGINT  NOT NULL,
    kind        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    source      TEXT    NOT NULL
);
CREATE INDEX incident_timeline_incident ON incident_timeline (incident_id, at_ms, id);

-- alert_id has no foreign key: the pager owns the alerts table and its ids,
-- and a link must not depend on the order the two are written in.
CREATE TABLE incident_alerts (
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    alert_id    BIGINT  NOT NULL,
    PRIMARY KEY (incident_id, alert_id)
);
CREATE INDEX incident_alerts_alert ON incident_alerts (alert_id, incident_id);

CREATE TABLE action_items (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id BIGINT  NOT NULL REFERENCES incidents (id),
    item        TEXT    NOT NULL,
    item_type   TEXT    NOT NULL, -- mitigate, prevent, process
    owner       TEXT    NOT NULL,
    tracking    TEXT    NOT NULL,
    status      TEXT    NOT NULL, -- open, done, wontfix
    due_ms      BIGINT  NOT NULL,
    links       TEXT    NOT NULL, -- JSON list
    created_ms  BIGINT  NOT NULL,
    updated_ms  BIGINT  NOT NULL
);
CREATE INDEX action_items_incident ON action_items (incident_id, id);

CREATE TABLE deploys (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service     TEXT    NOT NULL,
    version     TEXT    NOT NULL,
    environment TEXT    NOT NULL,
    artifact    TEXT    NOT NULL,
    deployed_by TEXT    NOT NULL,
    at_ms       BIGINT  NOT NULL,
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
