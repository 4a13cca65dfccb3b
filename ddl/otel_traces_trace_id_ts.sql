-- The Collector's trace-id lookup table: first and last second of every trace, so a trace read
-- scans only the Timestamp range that holds it (traces_id_ts_lookup_table.sql).
CREATE TABLE IF NOT EXISTS {{database}}.{{table}} {{on_cluster}} (
    TraceId String CODEC(ZSTD(1)),
    Start SimpleAggregateFunction(min, DateTime) CODEC(ZSTD(1)),
    End SimpleAggregateFunction(max, DateTime) CODEC(ZSTD(1))
) ENGINE = {{aggregating_engine}}
PARTITION BY toStartOfWeek(Start)
ORDER BY (TraceId)
{{ttl(Start)}}
SETTINGS index_granularity = 8192, ttl_only_drop_parts = 1
