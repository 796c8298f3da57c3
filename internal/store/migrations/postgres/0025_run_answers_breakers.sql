-- An approval is a row update, so that any replica takes it: the run keeps
-- the number of the wait it is in (wait_gen) and the answer given to that
-- wait, which its runner reads and acts on. A new wait clears the answer.
-- A runbook's circuit breaker is a row too: open until open_until_ms
-- (Vigil's clock, as the guards judge it), set by whichever replica
-- finished the run that tripped it.
-- Keep in step with migrations/sqlite.

-- +goose Up
ALTER TABLE runs ADD COLUMN wait_gen INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN answer TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN answered_by TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN answer_note TEXT NOT NULL DEFAULT '';
CREATE TABLE runbook_breakers (
    runbook       TEXT PRIMARY KEY,
    open_until_ms BIGINT NOT NULL
);

-- +goose Down
DROP TABLE runbook_breakers;
ALTER TABLE runs DROP COLUMN answer_note;
ALTER TABLE runs DROP COLUMN answered_by;
ALTER TABLE runs DROP COLUMN answer;
ALTER TABLE runs DROP COLUMN wait_gen;
