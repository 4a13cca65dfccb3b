/**
 * Reader results to the viewer API's wire shapes (types.ts): snake_case, ISO times, money as
 * decimal strings or null, unreported tokens as null. Pure; each function is checked by the
 * compiler against the wire type it returns.
 */
import type { CallDetail, Payload } from '../../reader/call-detail.js';
import type { CallFacets, CallTotals } from '../../reader/call-totals.js';
import type { Window } from '../../reader/call-filter.js';
import type { ErrorGroup } from '../../reader/error-groups.js';
import type { LlmTraceSummary } from '../../reader/llm-trace.js';
import type { AgentSummary, CallSums, RunDetail, RunSummary } from '../../reader/run-summary.js';
import type { TraceSkeleton, TraceTotals, WaterfallSpan } from '../../reader/trace-skeleton.js';
import type { TraceSpan } from '../../reader/trace-span.js';
import type { UsageSeries } from '../../reader/usage-series.js';
import { ratesFor, tierPromptTokens } from '../../pricing/cost.js';
import { formatUsd } from '../../pricing/money.js';
import type { CatalogPricer } from '../../pricing/pricer.js';
import type * as Wire from './types.js';

export function windowOf(window: Window): { start: string; end: string } {
  return { start: window.start.toISOString(), end: window.end.toISOString() };
}

/** A reported count, or null when the call reported no usage at all. */
function tokens(call: LlmTraceSummary, count: number | null): number | null {
  return call.hasUsage ? count : null;
}

export function toCallSummary(call: LlmTraceSummary & { createdAtNs: string; snippet?: string }): Wire.CallSummary {
  return {
    id: call.id,
    time: call.createdAt.toISOString(),
    time_ns: call.createdAtNs,
    trace_id: call.traceId,
    span_id: call.spanId,
    organization_id: call.organizationId,
    agent_id: call.agentId,
    run_id: call.runId,
    step_id: call.stepId,
    call_type: call.callType,
    provider: call.provider,
    model: call.model,
    request_model: call.requestModel,
    prompt_tokens: tokens(call, call.promptTokens),
    cached_input_tokens: tokens(call, call.cachedInputTokens),
    cache_write_tokens: tokens(call, call.cacheWriteTokens),
    completion_tokens: tokens(call, call.completionTokens),
    reasoning_tokens: tokens(call, call.reasoningTokens),
    total_tokens: tokens(call, call.totalTokens),
    has_usage: call.hasUsage,
    cost_usd: call.costUsd,
    priced: call.costUsd !== null,
    latency_ms: call.latencyMs,
    ttft_ms: call.timeToFirstTokenMs,
    is_error: call.isError,
    error_type: call.errorType,
    status_code: /^[1-5]\d\d$/.test(call.errorType) ? Number(call.errorType) : null,
    tags: call.agentTags,
    request_size_bytes: call.requestSizeBytes,
    response_size_bytes: call.responseSizeBytes,
    ...(call.snippet === undefined ? {} : { snippet: call.snippet }),
  };
}

/**
 * The detail page's call: the stored cost split into its parts, with the unit prices of the table
 * entry that prices the call today (looked up at read time; none for a cost the span provided).
 */
export function toCallDetail(call: CallDetail, pricer: CatalogPricer): Wire.CallDetail {
  const fromTable = call.costSource.startsWith('price_table');
  const found =
    fromTable && call.hasUsage
      ? pricer.find({ provider: call.provider, model: call.model, requestModel: call.requestModel, at: call.createdAt })
      : undefined;
  const cached = call.cachedInputTokens ?? 0;
  const written = call.cacheWriteTokens ?? 0;
  const rates = found && ratesFor(found.pricing, tierPromptTokens({ prompt: call.promptTokens, cachedInput: cached, cacheWrite: written }));
  const part = (name: Wire.CostPartName, count: number | null, rate: bigint | undefined, cost: string | null): Wire.CostPart => ({
    part: name,
    tokens: call.hasUsage ? count : null,
    unit_price_per_mtok: rate === undefined ? null : formatUsd(rate),
    cost_usd: cost,
  });
  const generationMs =
    call.timeToFirstTokenMs !== null && call.latencyMs > call.timeToFirstTokenMs
      ? call.latencyMs - call.timeToFirstTokenMs
      : call.latencyMs;
  return {
    ...toCallSummary(call),
    project_id: call.projectId,
    user_id: call.userId,
    conversation_id: call.conversationId,
    parent_span_id: call.parentSpanId,
    service_name: call.serviceName,
    span_name: call.spanName,
    is_byok: call.isByok,
    billing: { plan_type: call.billingPlanType, cost_source: call.billingCostSource, customer_id: call.billingCustomerId },
    metadata: call.metadata,
    finish_reasons: call.finishReasons,
    error_message: call.errorMessage,
    tokens_per_second: call.hasUsage && generationMs > 0 ? (call.completionTokens * 1000) / generationMs : null,
    cost_source: call.costSource,
    cost_breakdown: [
      // Fresh input: the prompt without its cache reads and writes.
      part('input', Math.max(0, call.promptTokens - cached - written), rates?.input, call.inputCostUsd),
      part('cache_read', call.cachedInputTokens, rates?.cachedInput, call.cachedInputCostUsd),
      part('cache_write', call.cacheWriteTokens, rates?.cacheWrite, call.cacheWriteCostUsd),
      part('output', call.completionTokens, rates?.output, call.outputCostUsd),
    ],
    price_entry: found
      ? {
          model: found.model,
          providers: found.providers ?? null,
          effective_from: found.effectiveDate || null,
          source: found.user ? 'user' : 'bundled',
        }
      : null,
    request_capped: call.requestCapped,
    response_capped: call.responseCapped,
    response_assembled: call.responseAssembled,
    request_stored_bytes: call.requestStoredBytes,
    response_stored_bytes: call.responseStoredBytes,
    llm_config_json: call.llmConfigJson,
    links: {
      trace: call.traceId === '' ? null : `/api/v1/traces/${encodeURIComponent(call.traceId)}`,
      run: call.runId === '' ? null : `/api/v1/runs/${encodeURIComponent(call.runId)}`,
    },
  };
}

export function toPayloadBody(payload: Payload): Wire.PayloadBody {
  return {
    part: payload.part,
    size_bytes: payload.sizeBytes,
    stored_bytes: payload.storedBytes,
    truncated: payload.truncated,
    capped: payload.capped,
    json: payload.json,
  };
}

export function toCallTotals(totals: CallTotals): Wire.CallTotals {
  return {
    calls: totals.calls,
    errors: totals.errors,
    error_rate: rate(totals.errors, totals.calls),
    prompt_tokens: totals.promptTokens,
    cached_input_tokens: totals.cachedInputTokens,
    cache_write_tokens: totals.cacheWriteTokens,
    completion_tokens: totals.completionTokens,
    reasoning_tokens: totals.reasoningTokens,
    total_tokens: totals.totalTokens,
    cost_usd: totals.costUsd,
    priced_calls: totals.pricedCalls,
    unpriced_calls: totals.calls - totals.pricedCalls,
    latency_p50_ms: totals.latencyP50Ms,
    latency_p95_ms: totals.latencyP95Ms,
    window: windowOf(totals.window),
  };
}

export function toCallFacets(facets: CallFacets): Wire.CallFacets {
  return {
    agent_id: facets.agentId,
    run_id: facets.runId,
    model: facets.model,
    provider: facets.provider,
    call_type: facets.callType,
    tag: facets.tag,
  };
}

function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}

export function toSpanSkeleton(span: WaterfallSpan): Wire.SpanSkeleton {
  const call = span.call;
  return {
    span_id: span.spanId,
    parent_span_id: span.parentSpanId,
    name: span.spanName,
    service: span.serviceName,
    kind: span.spanKind,
    status_code: span.statusCode,
    status_message: span.statusMessage,
    start_ns: span.timestampNs,
    duration_ns: span.durationNs,
    depth: span.depth,
    event_count: span.eventCount,
    llm: call
      ? {
          call_id: call.id,
          model: call.model,
          provider: call.provider,
          prompt_tokens: tokens(call, call.promptTokens),
          completion_tokens: tokens(call, call.completionTokens),
          cost_usd: call.costUsd,
          is_error: call.isError,
        }
      : null,
  };
}

export function toGroupTotals(totals: TraceTotals | CallSums): Wire.GroupTotals {
  return {
    calls: totals.calls,
    errors: totals.errors,
    prompt_tokens: totals.promptTokens,
    completion_tokens: totals.completionTokens,
    tokens: totals.totalTokens,
    cost_usd: totals.costUsd,
    unpriced_calls: totals.unpricedCalls,
  };
}

export function toTraceSkeleton(trace: TraceSkeleton): Wire.TraceSkeleton {
  const start = nanosToDate(trace.startNs);
  const end = nanosToDate(trace.endNs);
  return {
    trace_id: trace.traceId,
    start: start.toISOString(),
    start_ns: trace.startNs,
    end: end.toISOString(),
    end_ns: trace.endNs,
    duration_ms: Number(BigInt(trace.endNs) - BigInt(trace.startNs)) / 1e6,
    services: trace.services,
    span_count: trace.spans.length,
    truncated: trace.truncated,
    totals: toGroupTotals(trace.totals),
    spans: trace.spans.map(toSpanSkeleton),
  };
}

function nanosToDate(nanos: string): Date {
  return new Date(Number(BigInt(nanos) / 1_000_000n));
}

/** Attribute values longer than this are cut in a span's detail, ending with the marker. */
export const SPAN_VALUE_CAP_BYTES = 64 * 1024;
export const CAPPED_MARKER = '…[cut by the viewer; read the whole trace with /otlp]';

export function toSpanDetail(span: TraceSpan): Wire.SpanDetail {
  let capped = 0;
  const cap = (attributes: Record<string, string>): Record<string, string> =>
    Object.fromEntries(
      Object.entries(attributes).map(([key, value]) => {
        if (Buffer.byteLength(value, 'utf8') <= SPAN_VALUE_CAP_BYTES) return [key, value];
        capped += 1;
        return [
          key,
          Buffer.from(value, 'utf8')
            .subarray(0, SPAN_VALUE_CAP_BYTES)
            .toString('utf8')
            .replace(/\uFFFD$/, '') + CAPPED_MARKER,
        ];
      }),
    );
  return {
    trace_id: span.traceId,
    span_id: span.spanId,
    name: span.spanName,
    attributes: cap(span.spanAttributes),
    events: span.events.map((event) => ({
      time: event.timestamp.toISOString(),
      time_ns: event.timestampNs,
      name: event.name,
      attributes: cap(event.attributes),
    })),
    links: span.links.map((link) => ({
      trace_id: link.traceId,
      span_id: link.spanId,
      trace_state: link.traceState,
      attributes: cap(link.attributes),
    })),
    resource_attributes: cap(span.resourceAttributes),
    scope: { name: span.scopeName, version: span.scopeVersion },
    trace_state: span.traceState,
    value_cap_bytes: SPAN_VALUE_CAP_BYTES,
    capped_marker: CAPPED_MARKER,
    capped_values: capped,
  };
}

export function toRunSummary(run: RunSummary): Wire.RunSummary {
  return {
    run_id: run.runId,
    agent_id: run.agentId,
    calls: run.calls,
    errors: run.errors,
    prompt_tokens: run.promptTokens,
    cached_input_tokens: run.cachedInputTokens,
    completion_tokens: run.completionTokens,
    total_tokens: run.totalTokens,
    cost_usd: run.costUsd,
    unpriced_calls: run.unpricedCalls,
    traces: run.traces,
    first_seen: run.firstSeen.toISOString(),
    last_seen: run.lastSeen.toISOString(),
    duration_ms: run.lastSeen.getTime() - run.firstSeen.getTime(),
  };
}

export function toAgentSummary(agent: AgentSummary): Wire.AgentSummary {
  return {
    agent_id: agent.agentId,
    runs: agent.runs,
    ...toGroupTotals(agent),
    first_seen: agent.firstSeen.toISOString(),
    last_seen: agent.lastSeen.toISOString(),
  };
}

export function toRunDetail(run: RunDetail): Wire.RunDetail {
  return {
    run_id: run.runId,
    agent_id: run.agentId,
    totals: toGroupTotals(run.totals),
    first_seen: run.totals.firstSeen.toISOString(),
    last_seen: run.totals.lastSeen.toISOString(),
    duration_ms: run.totals.lastSeen.getTime() - run.totals.firstSeen.getTime(),
    traces: run.traces.map((trace) => ({
      trace_id: trace.traceId,
      start: trace.firstSeen.toISOString(),
      duration_ms: trace.lastSeen.getTime() - trace.firstSeen.getTime(),
      calls: trace.calls,
      cost_usd: trace.costUsd,
    })),
    calls: run.calls.map(toCallSummary),
    calls_truncated: run.callsTruncated,
    context_growth: run.contextGrowth.map((point) => ({
      call_id: point.callId,
      step_id: point.stepId,
      time: point.time.toISOString(),
      prompt_tokens: point.promptTokens,
      cached_input_tokens: point.cachedInputTokens,
      cache_write_tokens: point.cacheWriteTokens,
      new_input_tokens: point.newInputTokens,
      completion_tokens: point.completionTokens,
    })),
  };
}

/** The series are stacked per group key, one value per bucket of `buckets` (0, or null for cost, where a key has no calls). */
export function toUsageResponse(usage: UsageSeries): Wire.UsageResponse {
  const bucketIndex = new Map(usage.buckets.map((bucket, i) => [bucket.getTime(), i]));
  const size = usage.buckets.length;
  const series = new Map<string, Wire.UsageSeries>();
  for (const row of usage.stats) {
    const i = bucketIndex.get(row.bucketStart!.getTime());
    if (i === undefined) continue;
    let entry = series.get(row.key);
    if (!entry) {
      entry = {
        key: row.key,
        cost_usd: new Array<string | null>(size).fill(null),
        prompt_tokens: new Array<number>(size).fill(0),
        completion_tokens: new Array<number>(size).fill(0),
        calls: new Array<number>(size).fill(0),
        errors: new Array<number>(size).fill(0),
      };
      series.set(row.key, entry);
    }
    entry.cost_usd[i] = row.costUsd;
    entry.prompt_tokens[i] = row.promptTokens;
    entry.completion_tokens[i] = row.completionTokens;
    entry.calls[i] = row.requestCount;
    entry.errors[i] = row.errorCount;
  }
  return {
    bucket: usage.bucket,
    group_by: usage.groupBy,
    buckets: usage.buckets.map((bucket) => bucket.toISOString()),
    series: [...series.values()].sort((a, b) => sum(b.calls) - sum(a.calls) || a.key.localeCompare(b.key)),
    overall: usage.overall.map((point) => ({
      bucket: point.bucketStart.toISOString(),
      calls: point.calls,
      errors: point.errors,
      error_rate: rate(point.errors, point.calls),
      latency_p50_ms: point.latencyP50Ms,
      latency_p95_ms: point.latencyP95Ms,
      ttft_p50_ms: point.ttftP50Ms,
      ttft_p95_ms: point.ttftP95Ms,
      prompt_tokens: point.promptTokens,
      cached_input_tokens: point.cachedInputTokens,
      completion_tokens: point.completionTokens,
      cost_usd: point.costUsd,
      cache_hit_ratio: point.promptTokens === 0 ? null : point.cachedInputTokens / point.promptTokens,
      cache_savings_usd: point.cacheSavingsUsd,
    })),
    table: usage.stats.map((row) => ({
      bucket: row.bucketStart!.toISOString(),
      key: row.key,
      calls: row.requestCount,
      errors: row.errorCount,
      prompt_tokens: row.promptTokens,
      cached_input_tokens: row.cachedInputTokens ?? 0,
      completion_tokens: row.completionTokens,
      reasoning_tokens: row.reasoningTokens ?? 0,
      cost_usd: row.costUsd,
      unpriced_calls: row.requestCount - row.pricedRequestCount,
      latency_p50_ms: row.requestCount === 0 ? null : row.p50LatencyMs,
      latency_p95_ms: row.requestCount === 0 ? null : row.p95LatencyMs,
    })),
    window: windowOf(usage.window),
  };
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

export function toErrorGroup(group: ErrorGroup): Wire.ErrorGroup {
  return {
    provider: group.provider,
    error_type: group.errorType,
    message: group.message,
    count: group.count,
    first_seen: group.firstSeen.toISOString(),
    last_seen: group.lastSeen.toISOString(),
    models: group.models,
    sample_ids: group.sampleIds,
  };
}
