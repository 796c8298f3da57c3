-- No query reads alert routes by group alone (a membership is read by its
-- alert and group, the primary key), and group keys arrive in no order, so
-- every new alert wrote a page of this index that nothing read. Keep in step
-- with the other engine.

-- +goose Up
DROP INDEX alert_routes_group;

-- +goose Down
CREATE INDEX alert_routes_group ON alert_routes (group_key);
