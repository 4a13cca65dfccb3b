/** llm-traces: an OpenTelemetry span exporter to ClickHouse for LLM calls, and its reader. */
export { ClickHouseTraceExporter } from './exporter.js';
export { batchSpanProcessorConfig } from './delivery/batching.js';
export { ConfigError, resolveConfig, type ClickHouseTraceExporterOptions, type ResolvedConfig } from './config/config.js';
export { withLlmContext, getLlmContext, llmContextAttributes, LlmContextSpanProcessor, type LlmContext } from './context.js';
export { LLM_TRACES } from './conventions/llm-traces.js';
export { detectLlmCall } from './detect/detect.js';
export type { LlmCall, TokenUsage, CallError, CallContext, BillingContext, ProvidedCost } from './model/llm-call.js';
export type { ExporterStats, DropReason } from './delivery/counters.js';
export { DeliveryError } from './delivery/retry-policy.js';
export type { PayloadField as PayloadColumn, PayloadPolicy } from './config/config.js';
export * from './pricing/index.js';
export { reprice, type RepriceOptions, type RepriceResult } from './store/reprice.js';
export { openClient, type OpenedClient } from './store/connection.js';
export { ensureSchema } from './schema/migrate.js';
export * from './reader/index.js';
export { formatSpanTree, formatDuration, type TreeSpan } from './format/span-tree.js';
export { formatTable, type Column } from './format/table.js';
