-- Two indexes no query reads, on keys that arrive in no order, so that each
-- new alert wrote a page of each: together about half the CPU of storing a
-- new alert, and of a commit's time (BENCHMARKS.md, "Third round").
--
-- alert_routes_group: a membership is read by its alert and group, the
-- primary key, never by its group alone.
--
-- alerts_open_key: the unique index on the dedup key of open alerts. The
-- pager is the only writer of alerts (on Postgres, the one leader, whose
-- writes are fenced) and keeps the open alerts by dedup key in memory; it
-- opens an alert only for a key with none open, and at start it reports any
-- key found open twice (see pager.recover). No query looks an alert up by
-- its dedup key: the list filters by a prefix of it, which this index never
-- served.
--
-- Keep in step with the other engine.

-- +goose Up
DROP INDEX alert_routes_group;
DROP INDEX alerts_open_key;

-- +goose Down
CREATE UNIQUE INDEX alerts_open_key ON alerts (dedup_key) WHERE status <> 'resolved';
CREATE INDEX alert_routes_group ON alert_routes (group_key);
