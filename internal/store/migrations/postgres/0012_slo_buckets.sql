-- Good and total counts of SLIs that are counted rather than read from check
-- rollups: events pushed to the API and check results judged against a
-- latency threshold. Rolled up by minute, hour and day like buckets, and
-- pruned the same way. slo is "service/id". Keep in step with
-- migrations/sqlite.

-- +goose Up
CREATE TABLE slo_buckets (
    slo      TEXT    NOT NULL,
    res_s    INTEGER NOT NULL,
    start_ms BIGINT  NOT NULL,
    good     BIGINT  NOT NULL,
    total    BIGINT  NOT NULL,
    PRIMARY KEY (res_s, start_ms, slo)
);
CREATE INDEX slo_buckets_slo ON slo_buckets (slo, res_s, start_ms);

-- +goose Down
DROP TABLE slo_buckets;
