/**
 * The viewer JSON API under /api/v1/: the response and request shapes, shared by the server
 * (src/server/viewer-api/) and the browser bundle (src/viewer/). Type-only, importing only other
 * import-free type files, so the browser build can import it.
 *
 * Conventions: snake_case fields; times are ISO-8601 strings in UTC with milliseconds, with a
 * `*_ns` decimal string beside them where exact ordering matters; money is a decimal string in USD
 * (`"0.015300000"`), or null when unknown (an unpriced model, no usage reported): never "0" for
 * unknown. Token counts are numbers, or null when the provider reported no usage (`has_usage`
 * false) or did not report that bucket (cache, reasoning).
 */

/** Decimal string in USD with up to 9 fractional digits. */
export type Usd = string;
/** ISO-8601 UTC with milliseconds: `2026-11-22T10:15:30.123Z`. */
export type IsoTime = string;
/** Nanoseconds since the Unix epoch, as a decimal string (exact). */
export type EpochNs = string;

/** Every error response (400, 404, 405, 415, 500). `parameter` names the offending parameter when there is one. */
export interface ApiErrorBody {
  error: string;
  parameter?: string;
}

// ---------------------------------------------------------------- session

/** GET /api/v1/session */
export interface SessionInfo {
  organization_id: string;
  /** The organizations this credential may read (a users-file binding); null when it may read any. */
  organizations: string[] | null;
  /** True when the server requires credentials. */
  auth: boolean;
  version: string;
  /** The price table the server prices with (`PRICE_TABLE_VERSION`). */
  price_table_version: string;
  /** Default time window of lists when start/end are absent, in ms (24 h). */
  default_window_ms: number;
}

// ---------------------------------------------------------------- filters

/**
 * The common filter query parameters (F) of calls, totals, facets, errors, top, export, usage and
 * what-if. All optional; `start`/`end` accept ISO-8601 or epoch ms and default to the last 24 h
 * (`end` now, exclusive). `errors=1` keeps failed calls only (`errors=0`: successful only).
 * `agent_id=` (empty) selects calls made outside any agent. `q` searches the request and response
 * payloads (case-insensitive substring) inside the window.
 */
export interface CallFilterParams {
  start?: string;
  end?: string;
  agent_id?: string;
  run_id?: string;
  trace_id?: string;
  model?: string;
  provider?: string;
  call_type?: string;
  errors?: '0' | '1';
  tag?: string;
  /** USD, decimal. */
  min_cost?: string;
  min_prompt_tokens?: string;
  q?: string;
}

export type CallSort = 'time' | 'cost' | 'tokens' | 'latency';
export type SortOrder = 'desc' | 'asc';

/** GET /api/v1/calls?F&sort&order&limit&cursor. limit: 1..500, default 50. */
export interface CallListParams extends CallFilterParams {
  sort?: CallSort;
  order?: SortOrder;
  limit?: string;
  /** `next_cursor` of the previous page, opaque. It also pins the window, so pages stay consistent. */
  cursor?: string;
}

// ---------------------------------------------------------------- calls

export interface CallSummary {
  id: string;
  time: IsoTime;
  time_ns: EpochNs;
  trace_id: string;
  span_id: string;
  organization_id: string;
  agent_id: string;
  run_id: string;
  step_id: string;
  call_type: string;
  provider: string;
  model: string;
  request_model: string;
  /** Null when the provider reported no usage. */
  prompt_tokens: number | null;
  cached_input_tokens: number | null;
  cache_write_tokens: number | null;
  completion_tokens: number | null;
  reasoning_tokens: number | null;
  total_tokens: number | null;
  has_usage: boolean;
  cost_usd: Usd | null;
  /** False when no price was known (or no usage): show "unpriced", never $0. */
  priced: boolean;
  latency_ms: number;
  ttft_ms: number | null;
  is_error: boolean;
  error_type: string;
  /** The HTTP status when the error type is one (`"429"`), else null. */
  status_code: number | null;
  /** The agent's tags. */
  tags: string[];
  request_size_bytes: number;
  response_size_bytes: number;
  /** Only with `q`: plain text around the first hit in the request or response. */
  snippet?: string | null;
}

export interface CallPage {
  items: CallSummary[];
  next_cursor: string | null;
  /** The window the page was read in (resolved defaults). */
  window: { start: IsoTime; end: IsoTime };
}

/** GET /api/v1/calls/totals?F */
export interface CallTotals {
  calls: number;
  errors: number;
  /** errors / calls; 0 when there are no calls. */
  error_rate: number;
  prompt_tokens: number;
  cached_input_tokens: number;
  cache_write_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  total_tokens: number;
  /** Sum over the priced calls; null when none is priced. */
  cost_usd: Usd | null;
  priced_calls: number;
  /** Calls without a cost: `cost_usd` does not cover them. */
  unpriced_calls: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  window: { start: IsoTime; end: IsoTime };
}

export interface FacetValue {
  value: string;
  count: number;
}

/** GET /api/v1/calls/facets?F: top 50 values of each, counted in the window under the other filters. */
export interface CallFacets {
  agent_id: FacetValue[];
  run_id: FacetValue[];
  model: FacetValue[];
  provider: FacetValue[];
  call_type: FacetValue[];
  tag: FacetValue[];
}

export type CostPartName = 'input' | 'cache_read' | 'cache_write' | 'output';

/** One billed part of a call. `output` includes reasoning tokens (see `reasoning_tokens`). */
export interface CostPart {
  part: CostPartName;
  tokens: number | null;
  /** USD per million tokens of the price entry, null when unknown. */
  unit_price_per_mtok: string | null;
  cost_usd: Usd | null;
}

/** The price entry that priced (or would price now) this call. */
export interface PriceEntryRef {
  model: string;
  providers: string[] | null;
  effective_from: string | null;
  /** 'bundled' (the price table) or 'user' (prices/pricesFile given to the server). */
  source: 'bundled' | 'user';
}

/** GET /api/v1/calls/:id */
export interface CallDetail extends CallSummary {
  project_id: string;
  user_id: string;
  conversation_id: string;
  parent_span_id: string;
  service_name: string;
  span_name: string;
  is_byok: boolean;
  billing: { plan_type: string; cost_source: string; customer_id: string };
  metadata: Record<string, string>;
  finish_reasons: string[];
  error_message: string;
  /** completion_tokens per second of generation (after the first token when TTFT is known); null without usage. */
  tokens_per_second: number | null;
  /** Where the stored cost came from: `provided` (by the span), `price_table:<version>`, '' for none. */
  cost_source: string;
  cost_breakdown: CostPart[];
  price_entry: PriceEntryRef | null;
  /** The request/response payload was cut at write time by the payload cap. */
  request_capped: boolean;
  response_capped: boolean;
  /** The response was built from span attributes (a neutral form), not the provider's raw body. */
  response_assembled: boolean;
  /** Stored (possibly capped) bytes of each payload, so the UI can size-gate before fetching. */
  request_stored_bytes: number;
  response_stored_bytes: number;
  /** The call's model parameters as JSON text ('' when none). */
  llm_config_json: string;
  links: { trace: string | null; run: string | null };
}

export type PayloadPart = 'request' | 'response';

/** GET /api/v1/calls/:id/payload?part=request|response&max_bytes=N (default 2 MiB, at most 64 MiB). */
export interface PayloadBody {
  part: PayloadPart;
  /** UTF-8 bytes as the application produced it. */
  size_bytes: number;
  /** UTF-8 bytes stored. */
  stored_bytes: number;
  /** Cut by max_bytes in this response (`json` is then not valid JSON). */
  truncated: boolean;
  /** Cut at write time by the payload cap (the stored text ends with a marker). */
  capped: boolean;
  json: string;
}

// ---------------------------------------------------------------- traces

export interface SpanLlm {
  call_id: string;
  model: string;
  provider: string;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_usd: Usd | null;
  is_error: boolean;
}

/** A span without attributes (the waterfall skeleton). */
export interface SpanSkeleton {
  span_id: string;
  /** '' for a root. */
  parent_span_id: string;
  name: string;
  service: string;
  /** 'Internal' | 'Server' | 'Client' | 'Producer' | 'Consumer' | 'Unspecified' */
  kind: string;
  /** 'Unset' | 'Ok' | 'Error' */
  status_code: string;
  status_message: string;
  start_ns: EpochNs;
  duration_ns: string;
  /** Nesting depth: 0 for roots and for spans whose parent is not in the trace. */
  depth: number;
  event_count: number;
  llm: SpanLlm | null;
}

/** The sums of a group of calls (a trace, a run, an agent). */
export interface GroupTotals {
  calls: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  tokens: number;
  cost_usd: Usd | null;
  unpriced_calls: number;
}

export type TraceTotals = GroupTotals;

/** GET /api/v1/traces/:trace_id?limit (spans, default 10000, at most 100000). Spans in depth-first order (parents before children, siblings by start). */
export interface TraceSkeleton {
  trace_id: string;
  start: IsoTime;
  start_ns: EpochNs;
  end: IsoTime;
  end_ns: EpochNs;
  duration_ms: number;
  services: string[];
  span_count: number;
  /** More spans than `limit`: only the first `limit` by start time are here. */
  truncated: boolean;
  totals: TraceTotals;
  spans: SpanSkeleton[];
}

export interface SpanEventDetail {
  time: IsoTime;
  time_ns: EpochNs;
  name: string;
  attributes: Record<string, string>;
}

export interface SpanLinkDetail {
  trace_id: string;
  span_id: string;
  trace_state: string;
  attributes: Record<string, string>;
}

/** GET /api/v1/traces/:trace_id/spans/:span_id */
export interface SpanDetail {
  trace_id: string;
  span_id: string;
  name: string;
  /** Values longer than `value_cap_bytes` are cut and end with `capped_marker`. */
  attributes: Record<string, string>;
  events: SpanEventDetail[];
  links: SpanLinkDetail[];
  resource_attributes: Record<string, string>;
  scope: { name: string; version: string };
  trace_state: string;
  value_cap_bytes: number;
  capped_marker: string;
  /** How many values were cut. */
  capped_values: number;
}

/** GET /api/v1/traces/:trace_id/otlp: OTLP/JSON ExportTraceServiceRequest (ids hex, times as decimal strings). */
export type { OtlpTrace as OtlpExportTraceServiceRequest, OtlpResourceSpans, OtlpSpan, OtlpKeyValue } from '../../reader/otlp-types.js';

// ---------------------------------------------------------------- runs and agents

export type RunSort = 'cost' | 'last_seen' | 'calls';

/** GET /api/v1/runs?start&end&agent_id&sort&order&limit&cursor */
export interface RunSummary {
  run_id: string;
  agent_id: string;
  calls: number;
  errors: number;
  prompt_tokens: number;
  cached_input_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cost_usd: Usd | null;
  unpriced_calls: number;
  traces: number;
  first_seen: IsoTime;
  last_seen: IsoTime;
  duration_ms: number;
}

export interface RunPage {
  items: RunSummary[];
  next_cursor: string | null;
  window: { start: IsoTime; end: IsoTime };
}

/** GET /api/v1/agents?start&end */
export interface AgentSummary extends GroupTotals {
  agent_id: string;
  runs: number;
  first_seen: IsoTime;
  last_seen: IsoTime;
}

export interface AgentList {
  items: AgentSummary[];
  window: { start: IsoTime; end: IsoTime };
}

export interface RunTrace {
  trace_id: string;
  start: IsoTime;
  duration_ms: number;
  calls: number;
  cost_usd: Usd | null;
}

/** Input tokens of one call of a run: what it read from cache against what it sent new. */
export interface ContextGrowthPoint {
  call_id: string;
  step_id: string;
  time: IsoTime;
  prompt_tokens: number | null;
  cached_input_tokens: number | null;
  cache_write_tokens: number | null;
  /** prompt - cache read - cache write. */
  new_input_tokens: number | null;
  completion_tokens: number | null;
}

/** GET /api/v1/runs/:run_id. Calls oldest first, at most 5000 (`calls_truncated` beyond). */
export interface RunDetail {
  run_id: string;
  agent_id: string;
  totals: TraceTotals;
  first_seen: IsoTime;
  last_seen: IsoTime;
  duration_ms: number;
  traces: RunTrace[];
  calls: CallSummary[];
  calls_truncated: boolean;
  context_growth: ContextGrowthPoint[];
}

// ---------------------------------------------------------------- usage

export type UsageBucket = 'hour' | 'day';
export type UsageGroupBy = 'model' | 'request_model' | 'agent_id' | 'provider' | 'call_type';

export interface UsageSeries {
  key: string;
  /** One value per bucket; null where no call of the key in that bucket was priced. */
  cost_usd: (Usd | null)[];
  prompt_tokens: number[];
  completion_tokens: number[];
  calls: number[];
  errors: number[];
}

export interface UsageOverallPoint {
  bucket: IsoTime;
  calls: number;
  errors: number;
  error_rate: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  prompt_tokens: number;
  cached_input_tokens: number;
  completion_tokens: number;
  cost_usd: Usd | null;
  /** cached_input_tokens / prompt_tokens; null when no prompt tokens. */
  cache_hit_ratio: number | null;
  /** What the cache reads would have cost at the input rate minus what they cost; null when no cached call is priced. */
  cache_savings_usd: Usd | null;
}

export interface UsageTableRow {
  bucket: IsoTime;
  key: string;
  calls: number;
  errors: number;
  prompt_tokens: number;
  cached_input_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cost_usd: Usd | null;
  unpriced_calls: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
}

/** GET /api/v1/usage?F&bucket=hour|day&group_by=model|agent_id|provider|call_type (at most 2000 buckets). */
export interface UsageResponse {
  bucket: UsageBucket;
  group_by: UsageGroupBy;
  /** Every bucket start in the window, oldest first, including empty ones (zeros in the series). */
  buckets: IsoTime[];
  series: UsageSeries[];
  overall: UsageOverallPoint[];
  table: UsageTableRow[];
  window: { start: IsoTime; end: IsoTime };
}

// ---------------------------------------------------------------- errors and top-N

export interface ErrorGroup {
  provider: string;
  error_type: string;
  /** The message with numbers, ids and quoted values replaced, so similar errors group together. */
  message: string;
  count: number;
  first_seen: IsoTime;
  last_seen: IsoTime;
  models: string[];
  /** Up to 5 call ids, newest first. */
  sample_ids: string[];
}

/** GET /api/v1/errors?F&limit (groups, default 100, at most 1000) */
export interface ErrorGroups {
  groups: ErrorGroup[];
  window: { start: IsoTime; end: IsoTime };
}

export type TopKind = 'cost' | 'prompt_tokens' | 'request_bytes';

/** GET /api/v1/top?kind&F&limit (default 20, at most 500) */
export interface TopCalls {
  kind: TopKind;
  items: CallSummary[];
  window: { start: IsoTime; end: IsoTime };
}

// ---------------------------------------------------------------- compare

export type CompareKind = 'call' | 'trace' | 'run';

/** b minus a; null when either side is unknown. */
export interface CallDeltas {
  prompt_tokens: number | null;
  completion_tokens: number | null;
  total_tokens: number | null;
  cost_usd: Usd | null;
  latency_ms: number;
  ttft_ms: number | null;
}

/** GET /api/v1/compare?kind=call&a&b&max_bytes */
export interface CallComparison {
  kind: 'call';
  a: CallDetail;
  b: CallDetail;
  payloads: {
    a: { request: PayloadBody; response: PayloadBody };
    b: { request: PayloadBody; response: PayloadBody };
  };
  deltas: CallDeltas;
}

export interface AlignedSpan {
  /** Span names from the root, joined by ' > ', with `#n` for the n-th sibling of the same name (from 2). */
  path: string;
  a: SpanSkeleton | null;
  b: SpanSkeleton | null;
  /** b.duration - a.duration in ns; null when a side is missing. */
  duration_delta_ns: string | null;
}

/** GET /api/v1/compare?kind=trace&a&b */
export interface TraceComparison {
  kind: 'trace';
  a: TraceSkeleton;
  b: TraceSkeleton;
  aligned: AlignedSpan[];
  deltas: { duration_ms: number; span_count: number; calls: number; tokens: number; cost_usd: Usd | null };
}

export interface AlignedStep {
  /** 0-based position of the call in each run (oldest first). */
  index: number;
  a: CallSummary | null;
  b: CallSummary | null;
}

/** GET /api/v1/compare?kind=run&a&b */
export interface RunComparison {
  kind: 'run';
  a: RunDetail;
  b: RunDetail;
  steps: AlignedStep[];
  deltas: { calls: number; errors: number; tokens: number; cost_usd: Usd | null; duration_ms: number };
}

export type Comparison = CallComparison | TraceComparison | RunComparison;

// ---------------------------------------------------------------- prices

/** A price entry in the prices-file format (the same JSON `--prices-file` and `reprice` take): camelCase on purpose. */
export interface PriceEntry {
  model: string;
  aliases?: string[];
  providers?: string[];
  /** YYYY-MM-DD */
  effectiveDate?: string;
  inputPerMillion: number;
  outputPerMillion: number;
  cachedInputPerMillion?: number;
  cacheWritePerMillion?: number;
  tiers?: Array<{
    abovePromptTokens: number;
    inputPerMillion: number;
    outputPerMillion: number;
    cachedInputPerMillion?: number;
    cacheWritePerMillion?: number;
  }>;
}

export interface PriceListing extends PriceEntry {
  source: 'bundled' | 'user';
}

/** GET /api/v1/prices?start&end */
export interface PricesResponse {
  version: string;
  entries: PriceListing[];
  /** Models of calls in the window that have no cost, most calls first. */
  unpriced_models: Array<{ provider: string; model: string; calls: number }>;
  window: { start: IsoTime; end: IsoTime };
}

/** POST /api/v1/prices/what-if?F with Content-Type: application/json. Entries override the current table. */
export interface WhatIfRequest {
  entries: PriceEntry[];
}

export interface WhatIfCost {
  cost_usd: Usd | null;
  priced_calls: number;
  unpriced_calls: number;
}

export interface WhatIfResponse {
  current: WhatIfCost;
  what_if: WhatIfCost;
  by_model: Array<{ provider: string; model: string; calls: number; current: Usd | null; what_if: Usd | null }>;
  /** The command that applies the entries to the store (the entries saved as the named file). */
  command: string;
  window: { start: IsoTime; end: IsoTime };
}

// ---------------------------------------------------------------- export

/** GET /api/v1/export?format=csv|jsonl&F: streamed, every matching call (no page limit), oldest first; rows are CallSummary fields. */
export type ExportFormat = 'csv' | 'jsonl';
