/** Interim copy of the viewer API contract (VIEWER-API.md) until src/server/viewer-api/types.ts lands. */
export type Money = string | null;

export interface Session {
  organization_id: string;
  organizations: string[] | null;
  auth: boolean;
  version: string;
}

export interface CallSummary {
  id: string;
  time: string;
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
  prompt_tokens: number | null;
  cached_input_tokens: number | null;
  cache_write_tokens: number | null;
  completion_tokens: number | null;
  reasoning_tokens: number | null;
  total_tokens: number | null;
  has_usage: boolean;
  cost_usd: Money;
  priced: boolean;
  latency_ms: number;
  ttft_ms: number | null;
  is_error: boolean;
  error_type: string;
  status_code: string;
  tags: string[];
  snippet?: string | null;
  request_size_bytes?: number;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface CallTotals {
  calls: number;
  errors: number;
  error_rate: number;
  prompt_tokens: number;
  cached_input_tokens: number;
  completion_tokens: number;
  reasoning_tokens: number;
  cost_usd: Money;
  unpriced_calls: number;
}

export interface FacetValue {
  value: string;
  count: number;
}

export type FacetName = 'agent_id' | 'run_id' | 'model' | 'provider' | 'call_type' | 'tag';
export type Facets = Record<FacetName, FacetValue[]>;

export type CostPart = 'input' | 'cache_read' | 'cache_write' | 'output' | 'reasoning';

export interface CostBreakdownPart {
  part: CostPart;
  tokens: number | null;
  unit_price_per_mtok: number | null;
  cost_usd: Money;
}

export interface PriceEntryRef {
  model: string;
  provider: string;
  effective_from: string | null;
  source: string;
}

export interface CallDetail extends CallSummary {
  project_id: string;
  user_id: string;
  conversation_id: string;
  billing: Record<string, string>;
  metadata: Record<string, string>;
  finish_reason: string | null;
  error_message: string;
  tokens_per_second: number | null;
  cost_breakdown: CostBreakdownPart[];
  price_entry: PriceEntryRef | null;
  request_size_bytes: number;
  response_size_bytes: number;
  request_capped: boolean;
  response_capped: boolean;
  response_assembled: boolean;
  links: { trace: string | null; run: string | null };
}

export interface Payload {
  part: 'request' | 'response';
  size_bytes: number;
  truncated: boolean;
  capped: boolean;
  json: string;
}

export interface SpanLlm {
  call_id: string;
  model: string;
  provider: string;
  prompt_tokens: number | null;
  completion_tokens: number | null;
  cost_usd: Money;
  is_error: boolean;
}

export interface SpanSkeleton {
  span_id: string;
  parent_span_id: string;
  name: string;
  service: string;
  kind: string;
  status_code: string;
  status_message: string;
  start_ns: string;
  duration_ns: string;
  depth: number;
  llm: SpanLlm | null;
}

export interface TraceView {
  trace_id: string;
  start: string;
  end: string;
  duration_ms: number;
  services: string[];
  span_count: number;
  totals: { calls: number; tokens: number; cost_usd: Money };
  spans: SpanSkeleton[];
}

export interface SpanEvent {
  time: string;
  name: string;
  attributes: Record<string, string>;
}

export interface SpanLink {
  trace_id: string;
  span_id: string;
  attributes: Record<string, string>;
}

export interface SpanDetail {
  attributes: Record<string, string>;
  events: SpanEvent[];
  links: SpanLink[];
  resource_attributes: Record<string, string>;
  scope: { name: string; version: string };
}

export interface RunSummary {
  run_id: string;
  agent_id: string;
  calls: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: Money;
  first_seen: string;
  last_seen: string;
  duration_ms: number;
}

export interface AgentSummary {
  agent_id: string;
  runs: number;
  calls: number;
  errors: number;
  tokens: number;
  cost_usd: Money;
  first_seen: string;
  last_seen: string;
}

export interface ContextGrowthPoint {
  step_id: string;
  time: string;
  prompt_tokens: number;
  cached_input_tokens: number;
  new_input_tokens: number;
  completion_tokens: number;
}

export interface RunView {
  run_id: string;
  agent_id: string;
  totals: CallTotals;
  first_seen: string;
  last_seen: string;
  traces: Array<{ trace_id: string; start: string; duration_ms: number; calls: number; cost_usd: Money }>;
  calls: CallSummary[];
  context_growth: ContextGrowthPoint[];
}

export type UsageGroupBy = 'model' | 'agent_id' | 'provider' | 'call_type';

export interface UsageSeries {
  key: string;
  cost_usd: Money[];
  prompt_tokens: number[];
  completion_tokens: number[];
  calls: number[];
  errors: number[];
}

export interface UsageOverall {
  bucket: string;
  calls: number;
  errors: number;
  error_rate: number;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  ttft_p50_ms: number | null;
  ttft_p95_ms: number | null;
  prompt_tokens: number;
  cached_input_tokens: number;
  cache_hit_ratio: number | null;
  cache_savings_usd: Money;
}

export interface UsageView {
  buckets: string[];
  series: UsageSeries[];
  overall: UsageOverall[];
}

export interface ErrorGroup {
  provider: string;
  error_type: string;
  message: string;
  count: number;
  first_seen: string;
  last_seen: string;
  sample_ids: string[];
}

export interface PriceEntry {
  provider: string;
  model: string;
  effective_from: string | null;
  input_per_mtok: number;
  output_per_mtok: number;
  cached_input_per_mtok: number | null;
  cache_write_per_mtok: number | null;
  source: string;
}

export interface PricesView {
  version: string;
  entries: PriceEntry[];
  unpriced_models: Array<{ provider: string; model: string; calls: number }>;
}

export interface WhatIf {
  current: { cost_usd: Money };
  what_if: { cost_usd: Money };
  by_model: Array<{ provider: string; model: string; current: Money; what_if: Money }>;
}

export interface Deltas {
  tokens: number | null;
  cost_usd: Money;
  latency_ms: number | null;
}

export interface CallComparison {
  kind: 'call';
  a: CallDetail;
  b: CallDetail;
  payloads: { a: { request: Payload; response: Payload }; b: { request: Payload; response: Payload } };
  deltas: Deltas;
}

export interface TraceComparison {
  kind: 'trace';
  a: TraceView;
  b: TraceView;
  aligned: Array<{ path: string; a: SpanSkeleton | null; b: SpanSkeleton | null }>;
  deltas: { duration_ms: number; spans: number; cost_usd: Money; tokens: number };
}

export interface RunComparison {
  kind: 'run';
  a: RunView;
  b: RunView;
  aligned: Array<{ step: number; a: CallSummary | null; b: CallSummary | null }>;
  deltas: Deltas & { calls: number; duration_ms: number };
}

export type Comparison = CallComparison | TraceComparison | RunComparison;
