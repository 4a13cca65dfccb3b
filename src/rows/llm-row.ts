/**
 * A normalized LLM call and its span as an `llm_traces` row (columns as in ddl/llm_traces.sql).
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { LlmCall } from '../model/llm-call.js';
import type { Pricer } from '../pricing/index.js';
import { DEFAULT_PAYLOAD_POLICY, storedPayload, type PayloadPolicy } from './payload.js';
import { redactSecrets } from '../redaction/credentials.js';
import { costColumns, type CostColumns } from '../pricing/cost-columns.js';
import { serviceNameOf } from './otel-row.js';
import { hrTimeToMicrosString, hrTimeToMillis } from './time.js';

export interface LlmTraceRow extends CostColumns {
  id: string;
  organization_id: string;
  project_id: string;
  agent_id: string;
  agent_tags: string[];
  run_id: string;
  step_id: string;
  conversation_id: string;
  user_id: string;
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
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  cached_input_tokens: number | null;
  cache_write_tokens: number | null;
  reasoning_tokens: number | null;
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
  billing_plan_type: string;
  billing_cost_source: string;
  billing_customer_id: string;
  created_at: string;
}

export const ERROR_MESSAGE_MAX_CHARS = 1000;
const UINT32_MAX = 4_294_967_295;

export interface LlmRowOptions {
  /** Computes the cost of calls that report none; without it cost columns stay NULL. */
  pricer?: Pricer;
  payloads?: PayloadPolicy;
}

export function toLlmRow(span: ReadableSpan, call: LlmCall, options: LlmRowOptions = {}): LlmTraceRow {
  const context = span.spanContext();
  const usage = call.usage;
  const isError = call.error !== undefined;
  const policy = options.payloads ?? DEFAULT_PAYLOAD_POLICY;
  const request = storedPayload(call.requestJson ?? '', 'request_json', policy);
  const response = storedPayload(call.responseJson ?? '', 'response_json', policy);
  const config = storedPayload(call.llmConfigJson ?? '', 'llm_config_json', policy);
  const finishReasons = call.finishReasons ?? [];
  return {
    id: call.id ?? context.spanId,
    organization_id: call.organizationId ?? '',
    project_id: call.projectId ?? '',
    agent_id: call.agentId ?? '',
    agent_tags: call.agentTags ?? [],
    run_id: call.runId ?? '',
    step_id: call.stepId ?? '',
    conversation_id: call.conversationId ?? '',
    user_id: call.userId ?? '',
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
    prompt_tokens: usage?.promptTokens ?? 0,
    completion_tokens: usage?.completionTokens ?? 0,
    total_tokens: usage?.totalTokens ?? (usage?.promptTokens ?? 0) + (usage?.completionTokens ?? 0),
    cached_input_tokens: usage?.cachedInputTokens ?? null,
    cache_write_tokens: usage?.cacheWriteTokens ?? null,
    reasoning_tokens: usage?.reasoningTokens ?? null,
    latency_ms: millis(span.duration[0] * 1000 + span.duration[1] / 1e6) ?? 0,
    time_to_first_token_ms: millis(call.timeToFirstTokenMs) ?? null,
    is_error: isError,
    error_type: call.error?.type ?? '',
    // Redacted before the cut, so a key the cut splits is still recognized.
    error_message: redactSecrets(call.error?.message ?? '').slice(0, ERROR_MESSAGE_MAX_CHARS),
    finish_reasons: isError && finishReasons.length === 0 ? ['error'] : finishReasons,
    request_json: request.text,
    response_json: response.text,
    llm_config_json: config.text,
    metadata: call.metadata ?? {},
    billing_plan_type: call.billing?.planType ?? '',
    billing_cost_source: call.billing?.costSource ?? '',
    billing_customer_id: call.billing?.customerId ?? '',
    ...costColumns(call, options.pricer, new Date(hrTimeToMillis(span.startTime))),
    created_at: hrTimeToMicrosString(span.startTime),
  };
}

/** Whole milliseconds that fit the UInt32 column, or undefined for values that are not a duration. */
function millis(value: number | undefined): number | undefined {
  if (value === undefined || !Number.isFinite(value) || value < 0) return undefined;
  return Math.min(UINT32_MAX, Math.round(value));
}
