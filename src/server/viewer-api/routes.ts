/**
 * The viewer API's routes under /api/v1/: each names its method, path pattern and the query
 * parameters it takes, and turns a request into reader calls and a wire-shaped answer (types.ts).
 * No I/O besides the readers; the HTTP edge is in index.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createOverriddenPricer, type CatalogPricer } from '../../pricing/pricer.js';
import { PRICE_TABLE_VERSION } from '../../pricing/price-table.js';
import { DEFAULT_PAYLOAD_BYTES, MAX_PAYLOAD_BYTES, PAYLOAD_PARTS, type PayloadPart } from '../../reader/call-detail.js';
import { DEFAULT_WINDOW_MS, resolveWindow, type Window } from '../../reader/call-filter.js';
import { CALL_SORTS, type CallCursor, type CallSort } from '../../reader/call-list.js';
import { SORT_ORDERS, type SortOrder } from '../../reader/keyset-page.js';
import { alignByPosition, alignSpans, costDelta, numberDelta } from '../../reader/compare.js';
import type { LlmTraceReader } from '../../reader/llm-trace-reader.js';
import { MAX_SKELETON_LIMIT, MAX_SPAN_LIMIT, type OtelTraceReader } from '../../reader/otel-trace-reader.js';
import { RUN_SORTS, type RunCursor, type RunSort } from '../../reader/run-summary.js';
import { buildTraceSkeleton, type TraceSkeleton } from '../../reader/trace-skeleton.js';
import { toOtlpTrace } from '../../reader/trace-otlp.js';
import { USAGE_BUCKETS, USAGE_GROUP_BY } from '../../reader/usage-stats.js';
import { readRequestBody } from '../request-body.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { EXPORT_FORMATS, exportHeaders, writeExport } from './export-stream.js';
import { FILTER_PARAMS, ParameterError, QueryParams } from './query-params.js';
import type * as Wire from './types.js';
import {
  toAgentSummary,
  toCallDetail,
  toCallFacets,
  toCallSummary,
  toCallTotals,
  toErrorGroup,
  toPayloadBody,
  toRunDetail,
  toRunSummary,
  toSpanDetail,
  toTraceSkeleton,
  toUsageResponse,
  windowOf,
} from './wire.js';

export interface Readers {
  llm: LlmTraceReader;
  otel: OtelTraceReader;
}

export interface RouteContext {
  readers: Readers;
  pricer: CatalogPricer;
  organizationId: string;
  /** The organizations the credential may read; undefined: any. */
  organizations: readonly string[] | undefined;
  /** The server requires credentials. */
  auth: boolean;
  version: string;
  exportPageSize?: number;
  params: QueryParams;
  /** The path's captures, percent-decoded. */
  match: string[];
  request: IncomingMessage;
}

/** Writes a streamed answer's body (the status and headers are sent already). */
export type StreamBody = (response: ServerResponse, readers: Readers) => Promise<unknown>;

/** A JSON answer, or a streamed one (export). */
export type RouteAnswer = { json: unknown; headers?: Record<string, string> } | { stream: StreamBody; headers: Record<string, string> };

export interface Route {
  method: 'GET' | 'POST';
  pattern: RegExp;
  /** The query parameters it takes; any other is a 400. */
  params: readonly string[];
  handle(context: RouteContext): Promise<RouteAnswer>;
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaTypeError';
}

const ID = '([^/]+)';
const LIST_PARAMS = ['sort', 'order', 'limit', 'cursor'];
/** Largest what-if body: a price table is a few hundred entries. */
const MAX_WHAT_IF_BYTES = 1024 * 1024;

function found<T>(value: T | null, what: string): T {
  if (value === null) throw new NotFoundError(`no ${what}`);
  return value;
}

function isCallCursor(value: unknown): value is CallCursor {
  const cursor = value as CallCursor | null;
  return (
    typeof cursor === 'object' &&
    cursor !== null &&
    typeof cursor.timeNs === 'string' &&
    typeof cursor.id === 'string' &&
    (cursor.key === undefined || typeof cursor.key === 'string')
  );
}

function isRunCursor(value: unknown): value is RunCursor {
  const cursor = value as RunCursor | null;
  return typeof cursor === 'object' && cursor !== null && typeof cursor.key === 'string' && typeof cursor.runId === 'string';
}

/** A page's window and position: from the cursor when there is one (it pins the window), else from start/end. */
function pageStart<T>(
  params: QueryParams,
  list: string,
  sort: string,
  order: string,
  isAfter: (value: unknown) => value is T,
): { window?: Window; after?: T } {
  const text = params.string('cursor');
  if (text === undefined) return {};
  const cursor = decodeCursor(text, { list, sort, order }, isAfter);
  return { window: cursor.window, after: cursor.after };
}

async function callPage(context: RouteContext, forcedSort?: CallSort): Promise<Wire.CallPage> {
  const { params } = context;
  const sort = forcedSort ?? params.oneOf('sort', CALL_SORTS) ?? 'time';
  const order: SortOrder = params.oneOf('order', SORT_ORDERS) ?? 'desc';
  const { window, after } = pageStart(params, 'calls', sort, order, isCallCursor);
  const page = await context.readers.llm.listCallPage({
    ...params.filters(),
    ...window,
    sort,
    order,
    limit: params.integer('limit', 1, 500),
    after,
  });
  return {
    items: page.items.map(toCallSummary),
    next_cursor: page.next && encodeCursor({ list: 'calls', sort, order, window: page.window, after: page.next }),
    window: windowOf(page.window),
  };
}

async function traceSkeleton({ readers }: RouteContext, traceId: string, limit?: number): Promise<TraceSkeleton> {
  const [{ spans, truncated }, calls] = await Promise.all([
    readers.otel.getTraceSkeleton(traceId, { limit }),
    readers.llm.list({ traceId, limit: 1000 }),
  ]);
  if (spans.length === 0) throw new NotFoundError(`no trace '${traceId}'`);
  return buildTraceSkeleton(traceId, spans, calls, truncated);
}

async function bothPayloads(llm: LlmTraceReader, id: string, maxBytes: number | undefined) {
  const [request, response] = await Promise.all(PAYLOAD_PARTS.map((part) => llm.getPayload(id, part, { maxBytes })));
  return { request: toPayloadBody(found(request, `call '${id}'`)), response: toPayloadBody(found(response, `call '${id}'`)) };
}

function callDeltas(a: Wire.CallDetail, b: Wire.CallDetail): Wire.CallDeltas {
  return {
    prompt_tokens: numberDelta(a.prompt_tokens, b.prompt_tokens),
    completion_tokens: numberDelta(a.completion_tokens, b.completion_tokens),
    total_tokens: numberDelta(a.total_tokens, b.total_tokens),
    cost_usd: costDelta(a.cost_usd, b.cost_usd),
    latency_ms: b.latency_ms - a.latency_ms,
    ttft_ms: numberDelta(a.ttft_ms, b.ttft_ms),
  };
}

async function compare(context: RouteContext): Promise<Wire.Comparison> {
  const { params, readers, pricer } = context;
  const kind = params.oneOf('kind', ['call', 'trace', 'run'] as const);
  if (kind === undefined) throw new ParameterError('kind', 'kind is required: call, trace or run');
  const a = params.text('a', true);
  const b = params.text('b', true);
  if (kind === 'call') {
    const maxBytes = params.integer('max_bytes', 1, MAX_PAYLOAD_BYTES);
    const [detailA, detailB] = await Promise.all([readers.llm.getCallDetail(a), readers.llm.getCallDetail(b)]);
    const callA = toCallDetail(found(detailA, `call '${a}'`), pricer);
    const callB = toCallDetail(found(detailB, `call '${b}'`), pricer);
    const [payloadsA, payloadsB] = await Promise.all([bothPayloads(readers.llm, a, maxBytes), bothPayloads(readers.llm, b, maxBytes)]);
    return { kind, a: callA, b: callB, payloads: { a: payloadsA, b: payloadsB }, deltas: callDeltas(callA, callB) };
  }
  if (kind === 'trace') {
    const [traceA, traceB] = await Promise.all([traceSkeleton(context, a), traceSkeleton(context, b)]);
    const wireA = toTraceSkeleton(traceA);
    const wireB = toTraceSkeleton(traceB);
    return {
      kind,
      a: wireA,
      b: wireB,
      aligned: alignSpans(traceA.spans, traceB.spans).map((entry) => ({
        path: entry.path,
        a: entry.a && wireA.spans[traceA.spans.indexOf(entry.a)]!,
        b: entry.b && wireB.spans[traceB.spans.indexOf(entry.b)]!,
        duration_delta_ns: entry.a && entry.b ? String(BigInt(entry.b.durationNs) - BigInt(entry.a.durationNs)) : null,
      })),
      deltas: {
        duration_ms: wireB.duration_ms - wireA.duration_ms,
        span_count: wireB.span_count - wireA.span_count,
        calls: wireB.totals.calls - wireA.totals.calls,
        tokens: wireB.totals.tokens - wireA.totals.tokens,
        cost_usd: costDelta(wireA.totals.cost_usd, wireB.totals.cost_usd),
      },
    };
  }
  const [runA, runB] = await Promise.all([readers.llm.getRun(a), readers.llm.getRun(b)]);
  const wireA = toRunDetail(found(runA, `run '${a}'`));
  const wireB = toRunDetail(found(runB, `run '${b}'`));
  return {
    kind,
    a: wireA,
    b: wireB,
    steps: alignByPosition(wireA.calls, wireB.calls),
    deltas: {
      calls: wireB.totals.calls - wireA.totals.calls,
      errors: wireB.totals.errors - wireA.totals.errors,
      tokens: wireB.totals.tokens - wireA.totals.tokens,
      cost_usd: costDelta(wireA.totals.cost_usd, wireB.totals.cost_usd),
      duration_ms: wireB.duration_ms - wireA.duration_ms,
    },
  };
}

async function whatIf(context: RouteContext): Promise<Wire.WhatIfResponse> {
  const { request, params, readers, pricer } = context;
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  // A cross-site page can POST text/plain or a form without a preflight, never application/json.
  if (mediaType !== 'application/json') {
    throw new UnsupportedMediaTypeError('the what-if body must be sent with Content-Type: application/json');
  }
  const filters = params.filters();
  const body = await readRequestBody(request, MAX_WHAT_IF_BYTES);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new ParameterError('body', `the body is not valid JSON: ${(error as Error).message}`);
  }
  const entries = (parsed as { entries?: unknown } | null)?.entries;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !Array.isArray(entries)) {
    throw new ParameterError('entries', 'the body must be an object {"entries": [...price entries]}');
  }
  const unknownKeys = Object.keys(parsed).filter((key) => key !== 'entries');
  if (unknownKeys.length > 0) throw new ParameterError(unknownKeys[0]!, `unknown body field '${unknownKeys[0]}'; the body takes entries`);
  let overridden: CatalogPricer;
  try {
    overridden = createOverriddenPricer(pricer, entries);
  } catch (error) {
    throw new ParameterError('entries', (error as Error).message);
  }
  const result = await readers.llm.getWhatIf(filters, overridden);
  const cost = (total: typeof result.current): Wire.WhatIfCost => ({
    cost_usd: total.costUsd,
    priced_calls: total.pricedCalls,
    unpriced_calls: total.unpricedCalls,
  });
  return {
    current: cost(result.current),
    what_if: cost(result.whatIf),
    by_model: result.byModel.map((model) => ({
      provider: model.provider,
      model: model.model,
      calls: model.calls,
      current: model.current,
      what_if: model.whatIf,
    })),
    command: `llm-traces reprice --start ${result.window.start.toISOString()} --prices-file prices.json`,
    window: windowOf(result.window),
  };
}

export const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/api\/v1\/session$/,
    params: [],
    handle: async ({ organizationId, organizations, auth, version }) => ({
      json: {
        organization_id: organizationId,
        organizations: organizations === undefined ? null : [...organizations],
        auth,
        version,
        price_table_version: PRICE_TABLE_VERSION,
        default_window_ms: DEFAULT_WINDOW_MS,
      } satisfies Wire.SessionInfo,
    }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/calls$/,
    params: [...FILTER_PARAMS, ...LIST_PARAMS],
    handle: async (context) => ({ json: await callPage(context) }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/calls\/totals$/,
    params: FILTER_PARAMS,
    handle: async ({ readers, params }) => ({ json: toCallTotals(await readers.llm.getCallTotals(params.filters())) }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/calls\/facets$/,
    params: FILTER_PARAMS,
    handle: async ({ readers, params }) => ({ json: toCallFacets(await readers.llm.getCallFacets(params.filters())) }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/calls/${ID}$`),
    params: [],
    handle: async ({ readers, pricer, match: [id] }) => ({
      json: toCallDetail(found(await readers.llm.getCallDetail(id!), `call '${id}'`), pricer),
    }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/calls/${ID}/payload$`),
    params: ['part', 'max_bytes'],
    handle: async ({ readers, params, match: [id] }) => {
      const part: PayloadPart = params.oneOf('part', PAYLOAD_PARTS) ?? 'request';
      const maxBytes = params.integer('max_bytes', 1, MAX_PAYLOAD_BYTES) ?? DEFAULT_PAYLOAD_BYTES;
      return { json: toPayloadBody(found(await readers.llm.getPayload(id!, part, { maxBytes }), `call '${id}'`)) };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/traces/${ID}$`),
    params: ['limit'],
    handle: async (context) => ({
      json: toTraceSkeleton(await traceSkeleton(context, context.match[0]!, context.params.integer('limit', 1, MAX_SKELETON_LIMIT))),
    }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/traces/${ID}/spans/${ID}$`),
    params: [],
    handle: async ({ readers, match: [traceId, spanId] }) => ({
      json: toSpanDetail(found(await readers.otel.getSpan(traceId!, spanId!), `span '${spanId}' in trace '${traceId}'`)),
    }),
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/traces/${ID}/otlp$`),
    params: [],
    handle: async ({ readers, match: [traceId] }) => {
      const spans = await readers.otel.getTraceSpans(traceId!, { limit: MAX_SPAN_LIMIT });
      if (spans.length === 0) throw new NotFoundError(`no trace '${traceId}'`);
      const filename = `trace-${traceId!.replace(/[^A-Za-z0-9_-]/g, '_')}.otlp.json`;
      return { json: toOtlpTrace(spans), headers: { 'Content-Disposition': `attachment; filename="${filename}"` } };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/runs$/,
    params: ['start', 'end', 'agent_id', ...LIST_PARAMS],
    handle: async ({ readers, params }) => {
      const sort: RunSort = params.oneOf('sort', RUN_SORTS) ?? 'last_seen';
      const order: SortOrder = params.oneOf('order', SORT_ORDERS) ?? 'desc';
      const { window, after } = pageStart(params, 'runs', sort, order, isRunCursor);
      const page = await readers.llm.listRuns({
        start: params.date('start'),
        end: params.date('end'),
        ...window,
        agentId: params.string('agent_id'),
        sort,
        order,
        limit: params.integer('limit', 1, 1000),
        after,
      });
      return {
        json: {
          items: page.items.map(toRunSummary),
          next_cursor: page.next && encodeCursor({ list: 'runs', sort, order, window: page.window, after: page.next }),
          window: windowOf(page.window),
        } satisfies Wire.RunPage,
      };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/api/v1/runs/${ID}$`),
    params: [],
    handle: async ({ readers, match: [runId] }) => ({ json: toRunDetail(found(await readers.llm.getRun(runId!), `run '${runId}'`)) }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/agents$/,
    params: ['start', 'end'],
    handle: async ({ readers, params }) => {
      const agents = await readers.llm.listAgents({ start: params.date('start'), end: params.date('end') });
      return { json: { items: agents.items.map(toAgentSummary), window: windowOf(agents.window) } satisfies Wire.AgentList };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/usage$/,
    params: [...FILTER_PARAMS, 'bucket', 'group_by'],
    handle: async ({ readers, params, pricer }) => {
      const usage = await readers.llm.getUsageSeries(
        { ...params.filters(), bucket: params.oneOf('bucket', USAGE_BUCKETS), groupBy: params.oneOf('group_by', USAGE_GROUP_BY) },
        pricer,
      );
      return { json: toUsageResponse(usage) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/errors$/,
    params: [...FILTER_PARAMS, 'limit'],
    handle: async ({ readers, params }) => {
      const errors = await readers.llm.getErrorGroups({ ...params.filters(), limit: params.integer('limit', 1, 1000) });
      return { json: { groups: errors.groups.map(toErrorGroup), window: windowOf(errors.window) } satisfies Wire.ErrorGroups };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/top$/,
    params: [...FILTER_PARAMS, 'kind', 'limit'],
    handle: async (context) => {
      const kind: Wire.TopKind = context.params.oneOf('kind', ['cost', 'prompt_tokens', 'request_bytes'] as const) ?? 'cost';
      const page = await callPage(context, kind);
      return { json: { kind, items: page.items, window: page.window } satisfies Wire.TopCalls };
    },
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/compare$/,
    params: ['kind', 'a', 'b', 'max_bytes'],
    handle: async (context) => ({ json: await compare(context) }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/prices$/,
    params: ['start', 'end'],
    handle: async ({ readers, params, pricer }) => {
      const unpriced = await readers.llm.getUnpricedModels({ start: params.date('start'), end: params.date('end') });
      return {
        json: {
          version: PRICE_TABLE_VERSION,
          entries: pricer.entries.map(({ price, user }) => ({ ...(price as Wire.PriceEntry), source: user ? 'user' : 'bundled' })),
          unpriced_models: unpriced.models,
          window: windowOf(unpriced.window),
        } satisfies Wire.PricesResponse,
      };
    },
  },
  {
    method: 'POST',
    pattern: /^\/api\/v1\/prices\/what-if$/,
    params: FILTER_PARAMS,
    handle: async (context) => ({ json: await whatIf(context) }),
  },
  {
    method: 'GET',
    pattern: /^\/api\/v1\/export$/,
    params: [...FILTER_PARAMS, 'format'],
    handle: async ({ params, exportPageSize }) => {
      const format: Wire.ExportFormat = params.oneOf('format', EXPORT_FORMATS) ?? 'csv';
      const filters = params.filters();
      const window = resolveWindow(filters);
      return {
        headers: exportHeaders(format, window),
        stream: (response, readers) => writeExport(response, readers.llm, { ...filters, ...window }, format, exportPageSize),
      };
    },
  },
];
