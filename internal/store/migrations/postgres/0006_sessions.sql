-- Browser sessions of people signed in to the web app. Only a SHA-256 of
-- a session's id is kept; the id itself lives in the person's cookie, so a
-- copy of the database cannot be used to sign in. Times are unix
-- milliseconds.
-- Keep in step with migrations/sqlite.

-- +goose Up
CREATE TABLE sessions (
    id_hash    TEXT    PRIMARY KEY, -- hex SHA-256 of the session id
    person     TEXT    NOT NULL,
    method     TEXT    NOT NULL,    -- password or oidc
    oidc_groups TEXT   NOT NULL,    -- JSON list: the OIDC groups at sign-in
    credential TEXT    NOT NULL,    -- fingerprint of the password hash or provider
    created_ms BIGINT  NOT NULL,
    seen_ms    BIGINT  NOT NULL
);
CREATE INDEX sessions_person ON sessions (person);
CREATE INDEX sessions_seen ON sessions (seen_ms);

-- +goose Down
DROP TABLE sessions;
