export { LlmTraceReader, DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT } from './llm-trace-reader.js';
export type {
  LlmTraceReaderOptions,
  ListOptions,
  ListByAgentOptions,
  ListCallsOptions,
  UsageStatsOptions,
  FindLargeRequestsOptions,
} from './llm-trace-reader.js';
export type { LlmTrace, LlmTraceSummary, PayloadField } from './llm-trace.js';
export { USAGE_BUCKETS, USAGE_GROUP_BY } from './usage-stats.js';
export type { UsageBucket, UsageGroupBy, UsageStats } from './usage-stats.js';
export { OtelTraceReader, DEFAULT_SPAN_LIMIT, MAX_SPAN_LIMIT } from './otel-trace-reader.js';
export type { OtelTraceReaderOptions, TraceSpanOptions, RunTrace } from './otel-trace-reader.js';
export type { TraceSpan, SpanEvent, SpanLink } from './trace-span.js';
export { ReaderArgumentError } from './errors.js';
