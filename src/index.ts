export { ClickHouseTraceExporter } from './exporter.js';
export { ConfigError, resolveConfig, type ClickHouseTraceExporterOptions, type ResolvedConfig } from './config.js';
export { withLlmContext, getLlmContext, llmContextAttributes, LlmContextSpanProcessor, type LlmContext } from './context.js';
export { LLM_TRACES } from './conventions/llm-traces.js';
export { detectLlmCall } from './detect/detect.js';
export type { LlmCall, TokenUsage, CallError, CallContext, BillingContext } from './detect/llm-call.js';
export { openClient, type OpenedClient } from './connection.js';
export { ensureSchema } from './schema/migrate.js';
