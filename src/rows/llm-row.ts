/**
 * A normalized LLM call and its span as an `llm_traces` row (columns as in ddl/llm_traces.sql).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import {
  APPLICATION_IDS,
  BILLING_FIELDS,
  entriesOf,
  TOKEN_FIELDS,
  type BillingColumn,
  type IdColumn,
  type TokenField,
} from '../model/fields.js';
import type { LlmCall, TokenUsage } from '../model/llm-call.js';
import { capErrorMessage, isStorableCount } from '../model/normalize.js';
import type { Pricer } from '../pricing/index.js';
import type { PayloadPolicy } from '../config/config.js';
import { cappedText, DEFAULT_PAYLOAD_POLICY, storedPayload } from './payload.js';
import { DEFAULT_MAX_ATTRIBUTE_BYTES } from '../config/config.js';
import { redactSecrets } from '../redaction/credentials.js';
import { costColumns, type CostColumns } from '../pricing/cost-columns.js';
import { serviceNameOf } from './otel-row.js';
import { hrTimeToMicrosString, hrTimeToMillis } from './time.js';

type ContextColumns = { [K in IdColumn | BillingColumn]: string } & { agent_tags: string[] };
type TokenColumns = {
  [K in TokenField as (typeof TOKEN_FIELDS)[K]['column']]: (typeof TOKEN_FIELDS)[K]['nullable'] extends true ? number | null : number;
};

export interface LlmTraceRow extends CostColumns, ContextColumns, TokenColumns {
  id: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string;
  service_name: string;
  span_name: string;
  call_type: string;
  provider: string;
  model: string;
  request_model: string;
  is_byok: boolean;
  request_size_bytes: number;
  response_size_bytes: number;
  payload_truncated: boolean;
  has_usage: boolean;
  latency_ms: number;
  time_to_first_token_ms: number | null;
  is_error: boolean;
  error_type: string;
  error_message: string;
  finish_reasons: string[];
  request_json: string;
  response_json: string;
  llm_config_json: string;
  metadata: Record<string, string>;
  created_at: string;
}

const UINT32_MAX = 4_294_967_295;

/** A value left out of a row because its column could not store it truthfully. */
export interface InvalidValue {
  column: string;
  value: number;
}

export interface LlmRowOptions {
  /** Computes the cost of calls that report none; without it cost columns stay NULL. */
  pricer?: Pricer;
  payloads?: PayloadPolicy;
  /** Told of each value dropped from a row (the exporter counts and reports them). */
  onInvalidValue?: (invalid: InvalidValue) => void;
}

export function toLlmRow(span: ReadableSpan, call: LlmCall, options: LlmRowOptions = {}): LlmTraceRow {
  const context = span.spanContext();
  const usage = storableUsage(call.usage, options.onInvalidValue);
  const isError = call.error !== undefined;
  const policy = options.payloads ?? DEFAULT_PAYLOAD_POLICY;
  const request = storedPayload(call.requestJson ?? '', 'request_json', policy);
  const response = storedPayload(call.responseJson ?? '', 'response_json', policy);
  const config = storedPayload(call.llmConfigJson ?? '', 'llm_config_json', policy);
  const finishReasons = call.finishReasons ?? [];
  return {
    id: call.id ?? context.spanId,
    ...contextColumns(call),
    trace_id: context.traceId,
    span_id: context.spanId,
    parent_span_id: span.parentSpanContext?.spanId ?? '',
    service_name: serviceNameOf(span),
    span_name: span.name,
    call_type: call.callType ?? '',
    provider: call.provider ?? '',
    model: call.model ?? call.requestModel ?? '',
    request_model: call.requestModel ?? '',
    is_byok: call.isByok === true,
    request_size_bytes: request.originalBytes,
    response_size_bytes: response.originalBytes,
    payload_truncated: request.truncated || response.truncated || config.truncated,
    has_usage: usage !== undefined,
    ...tokenColumns(usage),
    latency_ms: millis(span.duration[0] * 1000 + span.duration[1] / 1e6) ?? 0,
    time_to_first_token_ms: millis(call.timeToFirstTokenMs) ?? null,
    is_error: isError,
    error_type: call.error?.type ?? '',
    // Redacted before the cut, so a key the cut splits is still recognized.
    error_message: capErrorMessage(redactSecrets(call.error?.message ?? '')),
    finish_reasons: isError && finishReasons.length === 0 ? ['error'] : finishReasons,
    request_json: request.text,
    response_json: response.text,
    llm_config_json: config.text,
    metadata: cappedValues(call.metadata, policy.maxAttributeBytes ?? DEFAULT_MAX_ATTRIBUTE_BYTES),
    ...costColumns(usage === call.usage ? call : { ...call, usage }, options.pricer, new Date(hrTimeToMillis(span.startTime))),
    created_at: hrTimeToMicrosString(span.startTime),
  };
}

/** Metadata values capped as attribute values are; the map itself when none needs a cut. */
function cappedValues(metadata: Record<string, string> | undefined, maxBytes: number): Record<string, string> {
  if (metadata === undefined) return {};
  let capped: Record<string, string> | undefined;
  for (const key in metadata) {
    const value = cappedText(metadata[key]!, maxBytes);
    if (value !== metadata[key]) (capped ??= { ...metadata })[key] = value;
  }
  return capped ?? metadata;
}

/** Whole milliseconds that fit the UInt32 column, or undefined for values that are not a duration. */
function millis(value: number | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value) || value < 0) return undefined;
  return Math.min(UINT32_MAX, Math.round(value));
}

function contextColumns(call: LlmCall): ContextColumns {
  const columns: Partial<ContextColumns> = { agent_tags: call.agentTags ?? [] };
  for (const [field, { column }] of entriesOf(APPLICATION_IDS)) columns[column] = call[field] ?? '';
  for (const [field, { column }] of entriesOf(BILLING_FIELDS)) columns[column] = call.billing?.[field] ?? '';
  return columns as ContextColumns;
}

/**
 * The usage as it can be stored: a count that is not a whole number in range (isStorableCount) is
 * dropped, never rounded or wrapped. An optional count becomes unreported (NULL); a bad total is
 * recomputed from its parts; a bad input or output count makes the usage unknown (has_usage false).
 */
function storableUsage(usage: TokenUsage | undefined, onInvalid: LlmRowOptions['onInvalidValue']): TokenUsage | undefined {
  if (usage === undefined) return undefined;
  let kept: TokenUsage | undefined = usage;
  for (const [field, { column, nullable }] of entriesOf(TOKEN_FIELDS)) {
    const value = usage[field];
    if (value === undefined || isStorableCount(value)) continue;
    // A total summed from a bad count already reported is not reported again.
    if (kept || field !== 'totalTokens') onInvalid?.({ column, value });
    if (nullable || field === 'totalTokens') {
      if (kept) kept = { ...kept, [field]: undefined };
    } else kept = undefined;
  }
  return kept;
}

/** Unreported counts are NULL in nullable columns, else 0 (flagged by has_usage); a missing total is the sum. */
function tokenColumns(usage: TokenUsage | undefined): TokenColumns {
  const columns: Record<string, number | null> = {};
  for (const [field, { column, nullable }] of entriesOf(TOKEN_FIELDS)) columns[column] = usage?.[field] ?? (nullable ? null : 0);
  columns.total_tokens = usage?.totalTokens ?? (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0);
  return columns as TokenColumns;
}
