-- SQLite ends every index entry with the row's rowid, which for alerts and
-- their log entries is their id (an INTEGER PRIMARY KEY): an index on
-- (service) already lists each service's alerts in id order, and the planner
-- reads it so for ORDER BY id. The id written as a column of its own only
-- stored it twice, in every entry of the indexes a new alert writes; without
-- it they are a quarter smaller, and storing a new alert takes about 7% less
-- CPU (BENCHMARKS.md, "Twelfth round"). Postgres has no rowid: there these
-- indexes keep the id, and its 0030 changes nothing.

-- +goose Up
DROP INDEX alerts_status;
CREATE INDEX alerts_status ON alerts (status);
DROP INDEX alerts_service;
CREATE INDEX alerts_service ON alerts (service);
DROP INDEX alerts_service_status;
CREATE INDEX alerts_service_status ON alerts (service, status);
DROP INDEX alerts_first_seen;
CREATE INDEX alerts_first_seen ON alerts (first_seen_ms);
DROP INDEX alert_log_alert;
CREATE INDEX alert_log_alert ON alert_log (alert_id);

-- +goose Down
DROP INDEX alerts_status;
CREATE INDEX alerts_status ON alerts (status, id);
DROP INDEX alerts_service;
CREATE INDEX alerts_service ON alerts (service, id);
DROP INDEX alerts_service_status;
CREATE INDEX alerts_service_status ON alerts (service, status, id);
DROP INDEX alerts_first_seen;
CREATE INDEX alerts_first_seen ON alerts (first_seen_ms, id);
DROP INDEX alert_log_alert;
CREATE INDEX alert_log_alert ON alert_log (alert_id, id);
