-- Releases of a service: the record the as-built document is written from.
-- What only the release package reads (stakeholders, tickets, changes,
-- decisions, tests, notes, the capacity plan) is one JSON document; what
-- is searched or ordered on is a column. Identity columns never reuse an id. Times are unix
-- milliseconds (*_ms); 0 means unset. Keep in step with migrations/sqlite.

-- +goose Up
CREATE TABLE releases (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    service     TEXT    NOT NULL,
    name        TEXT    NOT NULL,
    version     TEXT    NOT NULL,
    status      TEXT    NOT NULL, -- planned, in_progress, released, rolled_back
    planned_ms  BIGINT  NOT NULL,
    started_ms  BIGINT  NOT NULL,
    finished_ms BIGINT  NOT NULL,
    details     TEXT    NOT NULL, -- JSON document
    created_by  TEXT    NOT NULL,
    created_ms  BIGINT  NOT NULL,
    updated_ms  BIGINT  NOT NULL
);
-- One release per version of a service, so a deploy's version names one release.
CREATE UNIQUE INDEX releases_version ON releases (service, version);
-- A service's history, newest planned first, and "the release before this one".
CREATE INDEX releases_service ON releases (service, planned_ms, id);

-- The deployment files of a release, in the order given.
CREATE TABLE release_manifests (
    release_id BIGINT NOT NULL REFERENCES releases (id),
    position   BIGINT  NOT NULL,
    name       TEXT    NOT NULL,
    source     TEXT    NOT NULL, -- the YAML as given
    workloads  TEXT    NOT NULL, -- JSON: what was read from it
    findings   TEXT    NOT NULL, -- JSON: what the review found
    PRIMARY KEY (release_id, position)
);

-- Every status a release went through, with who moved it and when.
CREATE TABLE release_status (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    release_id  BIGINT NOT NULL REFERENCES releases (id),
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    at_ms       BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,
    note        TEXT    NOT NULL
);
CREATE INDEX release_status_release ON release_status (release_id, id);

-- A release's deploys are those of its service and version.
CREATE INDEX deploys_version ON deploys (service, version, at_ms);

-- +goose Down
DROP INDEX deploys_version;
DROP TABLE release_status;
DROP TABLE release_manifests;
DROP TABLE releases;
