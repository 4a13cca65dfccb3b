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
export { CALL_SORTS } from './call-list.js';
export type { CallSort, CallCursor, CallPageOptions, CallListItem, CallPage } from './call-list.js';
export type { CallFilterOptions, Window } from './call-filter.js';
export type { SortOrder, Page } from './keyset-page.js';
export type { CallTotals, CallFacets, FacetValue, FacetField } from './call-totals.js';
export type { CallDetail, Payload, PayloadPart } from './call-detail.js';
export { RUN_SORTS } from './run-summary.js';
export type {
  RunSort,
  RunCursor,
  RunListOptions,
  RunPage,
  RunSummary,
  RunDetail,
  RunTraceSums,
  AgentSummary,
  CallSums,
  ContextGrowthPoint,
} from './run-summary.js';
export type { UsageSeries, UsageSeriesOptions, UsageOverall } from './usage-series.js';
export type { ErrorGroup } from './error-groups.js';
export type { WhatIf, CostTotal, ModelWhatIf } from './what-if.js';
export type { UnpricedModel } from './unpriced-models.js';
export type { SkeletonSpan, TraceSkeletonOptions } from './otel-trace-reader.js';
export { buildTraceSkeleton } from './trace-skeleton.js';
export type { TraceSkeleton, WaterfallSpan, TraceTotals } from './trace-skeleton.js';
export { toOtlpTrace } from './trace-otlp.js';
export type { OtlpTrace, OtlpResourceSpans, OtlpSpan, OtlpKeyValue } from './otlp-types.js';
