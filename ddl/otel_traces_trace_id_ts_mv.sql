-- Fills the trace-id lookup table from every insert into the traces table (traces_id_ts_lookup_mv.sql).
CREATE MATERIALIZED VIEW IF NOT EXISTS {{database}}.{{view}} {{on_cluster}}
TO {{database}}.{{table}}
AS SELECT
    TraceId,
    min(toDateTime(Timestamp)) AS Start,
    max(toDateTime(Timestamp)) AS End
FROM {{database}}.{{source_table}}
WHERE TraceId != ''
GROUP BY TraceId
