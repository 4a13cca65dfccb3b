/**
 * A few hundred llm_traces rows across two organizations (plus the default one), several agents,
 * models, providers and call types, shaped exactly like the DDL columns.
 */
import type { LlmTrace } from '../../../src/reader/index.js';
import type { LlmTraceRow } from '../../../src/rows/llm-row.js';

/** A row as the exporter writes it, plus created_at as epoch milliseconds for the expectations. */
export interface LlmRow extends LlmTraceRow {
  createdAtMs: number;
}

export const BASE_MS = Date.UTC(2026, 10, 20, 10, 0, 0);
const MODELS: Array<[model: string, provider: string]> = [
  ['gpt-4o-2024-08-06', 'openai'],
  ['claude-sonnet-4-5', 'anthropic'],
  ['gemini-2.5-pro', 'gcp.gemini'],
  ['gpt-4o-mini', 'openai'],
];
const CALL_TYPES = ['chat', 'responses', 'embeddings'];

/** Row i is created at BASE + i minutes + i microseconds. */
export function createdAtText(i: number): string {
  const ms = BASE_MS + i * 60_000;
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')}.${String(i).padStart(6, '0')}`;
}

function organizationOf(i: number): string {
  if (i >= 400) return '';
  return i % 3 === 2 ? 'org-b' : 'org-a';
}

export function makeRow(i: number): LlmRow {
  const [model, provider] = MODELS[(i >> 1) % MODELS.length]!;
  const hasUsage = i % 11 !== 0;
  const isError = i % 7 === 0;
  const prompt = hasUsage ? 1000 + i * 3 : 0;
  const completion = hasUsage ? 50 + i : 0;
  const requestJson = JSON.stringify({ model, messages: [{ role: 'user', content: `question ${i}` }] });
  return {
    id: `call-${i}`,
    organization_id: organizationOf(i),
    project_id: `project-${i % 2}`,
    agent_id: i % 25 === 0 ? '' : `agent-${i % 4}`,
    agent_tags: [`tag-${i % 2}`, 'prod'],
    run_id: `run-${Math.floor(i / 10)}`,
    step_id: `step-${Math.floor(i / 3)}`,
    conversation_id: `conv-${i % 5}`,
    user_id: `user-${i % 6}`,
    trace_id: i.toString(16).padStart(32, '0'),
    span_id: i.toString(16).padStart(16, '0'),
    parent_span_id: '',
    service_name: 'agent-api',
    span_name: `chat ${model}`,
    call_type: CALL_TYPES[(i >> 2) % CALL_TYPES.length]!,
    provider,
    model,
    request_model: model.replace(/-\d{4}-\d{2}-\d{2}$/, ''),
    is_byok: i % 9 === 0,
    request_size_bytes: i % 50 === 7 ? 1_000_000 + i * 1000 : 2_000 + i,
    response_size_bytes: 500 + i,
    payload_truncated: i % 50 === 0,
    has_usage: hasUsage,
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    cached_input_tokens: hasUsage && i % 2 === 0 ? 100 + i : null,
    cache_write_tokens: hasUsage && i % 5 === 0 ? 7 * i : null,
    reasoning_tokens: hasUsage && provider === 'anthropic' ? 10 + i : null,
    latency_ms: 200 + ((i * 37) % 1000),
    time_to_first_token_ms: i % 4 === 0 ? 50 + i : null,
    is_error: isError,
    error_type: isError ? 'RateLimitError' : '',
    error_message: isError ? `rate limited ${i}` : '',
    finish_reasons: isError ? [] : i % 2 === 0 ? ['stop'] : ['tool_calls', 'stop'],
    request_json: requestJson,
    response_json: isError ? '' : JSON.stringify({ id: `resp-${i}`, usage: { prompt_tokens: prompt } }),
    llm_config_json: JSON.stringify({ temperature: (i % 10) / 10 }),
    metadata: { env: 'test', index: String(i) },
    billing_plan_type: i % 2 === 0 ? 'pro' : 'free',
    billing_cost_source: 'list_price',
    billing_customer_id: `cus-${i % 3}`,
    ...costOf(i, provider, hasUsage),
    created_at: createdAtText(i),
    createdAtMs: BASE_MS + i * 60_000,
  };
}

/** Priced calls cost input + output nano-dollars in exact decimal strings; gemini calls have no known price. */
function costOf(
  i: number,
  provider: string,
  hasUsage: boolean,
): Pick<LlmRow, 'cost_usd' | 'input_cost_usd' | 'cached_input_cost_usd' | 'cache_write_cost_usd' | 'output_cost_usd' | 'cost_source'> {
  if (!hasUsage || provider === 'gcp.gemini') {
    return {
      cost_usd: null,
      input_cost_usd: null,
      cached_input_cost_usd: null,
      cache_write_cost_usd: null,
      output_cost_usd: null,
      cost_source: '',
    };
  }
  const input = 1_000_000n + BigInt(i) * 1_234n;
  const output = 3_000_000n + BigInt(i) * 7n;
  return {
    cost_usd: usd(input + output),
    input_cost_usd: usd(input),
    cached_input_cost_usd: i % 2 === 0 ? usd(BigInt(i)) : null,
    cache_write_cost_usd: null,
    output_cost_usd: usd(output),
    cost_source: i % 3 === 0 ? 'provided' : 'price_table:2026-11',
  };
}

/** Nano-dollars as the trimmed decimal ClickHouse prints for Decimal(18, 9). */
export function usd(nanos: bigint): string {
  const whole = nanos / 1_000_000_000n;
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

/** 400 rows for org-a (267) and org-b (133), then 5 for the default organization ''. */
export const rows: LlmRow[] = Array.from({ length: 405 }, (_, i) => makeRow(i));

export function insertable(row: LlmRow): Omit<LlmRow, 'createdAtMs'> {
  const { createdAtMs: _, ...columns } = row;
  return columns;
}

/** What the reader must return for a row; written field by field so the interface is checked too. */
export function expectedTrace(row: LlmRow): LlmTrace {
  return {
    id: row.id,
    organizationId: row.organization_id,
    projectId: row.project_id,
    agentId: row.agent_id,
    agentTags: row.agent_tags,
    runId: row.run_id,
    stepId: row.step_id,
    conversationId: row.conversation_id,
    userId: row.user_id,
    traceId: row.trace_id,
    spanId: row.span_id,
    parentSpanId: row.parent_span_id,
    serviceName: row.service_name,
    spanName: row.span_name,
    callType: row.call_type,
    provider: row.provider,
    model: row.model,
    requestModel: row.request_model,
    isByok: row.is_byok,
    requestSizeBytes: row.request_size_bytes,
    responseSizeBytes: row.response_size_bytes,
    payloadTruncated: row.payload_truncated,
    hasUsage: row.has_usage,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    totalTokens: row.total_tokens,
    cachedInputTokens: row.cached_input_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens,
    latencyMs: row.latency_ms,
    timeToFirstTokenMs: row.time_to_first_token_ms,
    isError: row.is_error,
    errorType: row.error_type,
    errorMessage: row.error_message,
    finishReasons: row.finish_reasons,
    requestJson: row.request_json,
    responseJson: row.response_json,
    llmConfigJson: row.llm_config_json,
    metadata: row.metadata,
    billingPlanType: row.billing_plan_type,
    billingCostSource: row.billing_cost_source,
    billingCustomerId: row.billing_customer_id,
    costUsd: row.cost_usd,
    inputCostUsd: row.input_cost_usd,
    cachedInputCostUsd: row.cached_input_cost_usd,
    cacheWriteCostUsd: row.cache_write_cost_usd,
    outputCostUsd: row.output_cost_usd,
    costSource: row.cost_source,
    createdAt: new Date(row.createdAtMs),
  };
}
