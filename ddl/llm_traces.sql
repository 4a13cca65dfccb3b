-- One row per LLM call, denormalized for cost and usage analytics.
--
-- Layout, chosen for the reader's queries (every one is scoped to one organization):
-- * ORDER BY (organization_id, agent_id, created_at, id): the tenant first, so no query reads
--   another tenant's granules; then agent and time, so listByAgent (newest first) is a primary-key
--   range read in order and usage stats over an agent or a time range skip most granules.
-- * PARTITION BY month: usage stats over a day or a month prune whole partitions; TTL drops whole
--   parts (ttl_only_drop_parts).
-- * Point lookups that are not on the sort key (id, step_id, run_id, trace_id, model, provider)
--   use bloom-filter skip indexes; is_error and is_byok use minmax so error-only lists skip clean
--   granules, and request_size_bytes so the large-request finder skips granules of small ones.
-- * Payload columns are large, repetitive JSON: ZSTD(3). Token counts that were not reported are
--   NULL (cache, reasoning) or flagged by has_usage, never a fake 0; so is the cost of a model
--   without a known price (cost_source says where a cost came from: `provided` by the span, or
--   `price_table:<version>`).
-- * Payloads are stored redacted of credentials and capped per field (payload_truncated marks a
--   cut); request_size_bytes and response_size_bytes are the sizes the application produced.
-- * index_granularity_bytes keeps granules of payload-heavy rows small for point reads.
CREATE TABLE IF NOT EXISTS {{database}}.{{table}} {{on_cluster}} (
    id String CODEC(ZSTD(1)),
    organization_id LowCardinality(String) CODEC(ZSTD(1)),
    project_id LowCardinality(String) CODEC(ZSTD(1)),
    agent_id String CODEC(ZSTD(1)),
    agent_tags Array(String) CODEC(ZSTD(1)),
    run_id String CODEC(ZSTD(1)),
    step_id String CODEC(ZSTD(1)),
    conversation_id String CODEC(ZSTD(1)),
    user_id String CODEC(ZSTD(1)),
    trace_id String CODEC(ZSTD(1)),
    span_id String CODEC(ZSTD(1)),
    parent_span_id String CODEC(ZSTD(1)),
    service_name LowCardinality(String) CODEC(ZSTD(1)),
    span_name LowCardinality(String) CODEC(ZSTD(1)),
    call_type LowCardinality(String) CODEC(ZSTD(1)),
    provider LowCardinality(String) CODEC(ZSTD(1)),
    model LowCardinality(String) CODEC(ZSTD(1)),
    request_model LowCardinality(String) CODEC(ZSTD(1)),
    is_byok Bool CODEC(ZSTD(1)),
    request_size_bytes UInt64 CODEC(T64, ZSTD(1)),
    response_size_bytes UInt64 CODEC(T64, ZSTD(1)),
    payload_truncated Bool CODEC(ZSTD(1)),
    has_usage Bool CODEC(ZSTD(1)),
    prompt_tokens UInt64 CODEC(T64, ZSTD(1)),
    completion_tokens UInt64 CODEC(T64, ZSTD(1)),
    total_tokens UInt64 CODEC(T64, ZSTD(1)),
    cached_input_tokens Nullable(UInt64) CODEC(ZSTD(1)),
    cache_write_tokens Nullable(UInt64) CODEC(ZSTD(1)),
    reasoning_tokens Nullable(UInt64) CODEC(ZSTD(1)),
    latency_ms UInt32 CODEC(T64, ZSTD(1)),
    time_to_first_token_ms Nullable(UInt32) CODEC(ZSTD(1)),
    is_error Bool CODEC(ZSTD(1)),
    error_type LowCardinality(String) CODEC(ZSTD(1)),
    error_message String CODEC(ZSTD(1)),
    finish_reasons Array(LowCardinality(String)) CODEC(ZSTD(1)),
    request_json String CODEC(ZSTD(3)),
    response_json String CODEC(ZSTD(3)),
    llm_config_json String CODEC(ZSTD(3)),
    metadata Map(LowCardinality(String), String) CODEC(ZSTD(1)),
    billing_plan_type LowCardinality(String) CODEC(ZSTD(1)),
    billing_cost_source LowCardinality(String) CODEC(ZSTD(1)),
    billing_customer_id String CODEC(ZSTD(1)),
    cost_usd Nullable(Decimal(18, 9)) CODEC(ZSTD(1)),
    input_cost_usd Nullable(Decimal(18, 9)) CODEC(ZSTD(1)),
    cached_input_cost_usd Nullable(Decimal(18, 9)) CODEC(ZSTD(1)),
    cache_write_cost_usd Nullable(Decimal(18, 9)) CODEC(ZSTD(1)),
    output_cost_usd Nullable(Decimal(18, 9)) CODEC(ZSTD(1)),
    cost_source LowCardinality(String) CODEC(ZSTD(1)),
    created_at DateTime64(6, 'UTC') CODEC(Delta(8), ZSTD(1)),
    INDEX idx_id id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_agent_id agent_id TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_model model TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_step_id step_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_provider provider TYPE bloom_filter(0.01) GRANULARITY 1,
    INDEX idx_run_id run_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_trace_id trace_id TYPE bloom_filter(0.001) GRANULARITY 1,
    INDEX idx_request_size request_size_bytes TYPE minmax GRANULARITY 1,
    INDEX idx_is_byok is_byok TYPE minmax GRANULARITY 1,
    INDEX idx_is_error is_error TYPE minmax GRANULARITY 1
) ENGINE = {{engine}}
PARTITION BY toYYYYMM(created_at)
ORDER BY (organization_id, agent_id, created_at, id)
{{ttl(created_at)}}
SETTINGS index_granularity = 8192, index_granularity_bytes = 4194304, ttl_only_drop_parts = 1
