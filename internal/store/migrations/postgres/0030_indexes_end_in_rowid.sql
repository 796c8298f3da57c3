-- On SQLite, 0030 drops the id from the indexes on alerts and the alert log
-- that end with it, as every SQLite index entry ends with the rowid (the
-- id) already. Postgres has no rowid: its indexes need the id to list rows
-- in id order, so this version changes nothing here; it keeps the two
-- engines' migration versions in step.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
