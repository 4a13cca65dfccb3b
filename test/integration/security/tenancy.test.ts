/**
 * Tenancy: organizations A and B and the default organization '' share agent, run, step and even
 * call ids, and A and B share one trace. Every reader method, every JSON API route (organization
 * by header and by parameter) and every CLI command (by --org and by LLM_TRACES_ORGANIZATION_ID)
 * must show each organization exactly its own rows, and usage summed by hand per organization.
 */
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LlmTraceReader,
  OtelTraceReader,
  USAGE_GROUP_BY,
  type LlmTraceSummary,
  type UsageGroupBy,
  type UsageStats,
} from '../../../src/reader/index.js';
import { makeSpan } from '../../support/spans.js';
import { startServe, type ServeProcess } from '../../support/serve-process.js';
import { apiGet, cliAt, exportSpans, mapBounded, STACK_FRAME } from './harness.js';
import { openTestStore, type TestStore } from '../../support/store.js';

const ORG_A = 'org-a';
const ORG_B = 'org-b';
const DEFAULT = '';
/** Token counts and costs scale with the organization's factor, so a row seen by the wrong organization changes every sum. */
const FACTOR: Record<string, number> = { [ORG_A]: 1, [ORG_B]: 2, [DEFAULT]: 3 };
const ORGS = [ORG_A, ORG_B, DEFAULT];

const DAY = 86_400;
const T0 = Date.UTC(2026, 10, 20, 10, 0, 0) / 1000;
const traceOf = (org: string, n: number) => `${FACTOR[org]}${n}`.padStart(32, 'e');
const spanOf = (org: string, n: number) => `${FACTOR[org]}${n}`.padStart(16, 'f');
/** Calls of A and B; the default organization has none in it. */
const SHARED_TRACE = '5'.repeat(32);
const SHARED_ROOT = '5'.repeat(16);
/** No LLM call at all: it belongs to the default organization. */
const PLAIN_TRACE = '9'.repeat(32);
const PLAIN_SPANS = ['9'.repeat(16), `${'9'.repeat(15)}8`];

interface CallSpec {
  org: string;
  id: string;
  agent: string;
  run: string;
  step: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  model: string;
  provider: string;
  callType: string;
  prompt: number;
  completion: number;
  error: boolean;
  /** Reported by the span as gen_ai.usage.cost; null: unpriced. */
  costNanos: bigint | null;
  startSec: number;
}

/** The same ids in every organization: call-1..3 everywhere, call-4 in A and B in the shared trace. */
function callsOf(org: string): CallSpec[] {
  const k = FACTOR[org]!;
  const day0 = T0 + k * 60;
  const ids = (n: number, agent: string, run: string) => ({ org, id: `call-${n}`, agent, run, step: `step-${n}` });
  const gpt = { provider: 'openai', model: 'gpt-4o', callType: 'chat', error: false };
  const calls: CallSpec[] = [
    {
      ...ids(1, 'support', 'run-1'),
      traceId: traceOf(org, 1),
      spanId: spanOf(org, 2),
      parentSpanId: spanOf(org, 1),
      ...gpt,
      prompt: 100 * k,
      completion: 10 * k,
      costNanos: 1_000_000n * BigInt(k),
      startSec: day0 + 1,
    },
    {
      ...ids(2, 'support', 'run-1'),
      traceId: traceOf(org, 1),
      spanId: spanOf(org, 3),
      parentSpanId: spanOf(org, 1),
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      callType: 'chat',
      error: true,
      prompt: 0,
      completion: 0,
      costNanos: null,
      startSec: day0 + 2,
    },
    {
      ...ids(3, 'indexer', 'run-3'),
      traceId: traceOf(org, 3),
      spanId: spanOf(org, 4),
      provider: 'openai',
      model: 'text-embedding-3-small',
      callType: 'embeddings',
      error: false,
      prompt: 7 * k,
      completion: 0,
      costNanos: 100_000n * BigInt(k),
      startSec: day0 + DAY,
    },
  ];
  if (org !== DEFAULT) {
    calls.push({
      ...ids(4, 'support', 'run-2'),
      traceId: SHARED_TRACE,
      spanId: spanOf(org, 5),
      parentSpanId: SHARED_ROOT,
      ...gpt,
      prompt: 1000 * k,
      completion: 100 * k,
      costNanos: 10_000_000n * BigInt(k),
      startSec: day0 + DAY + 10,
    });
  }
  return calls;
}

const CALLS = ORGS.flatMap(callsOf);

function llmSpan(call: CallSpec): ReadableSpan {
  const attributes: Attributes = {
    'gen_ai.operation.name': call.callType,
    'gen_ai.provider.name': call.provider,
    'gen_ai.request.model': call.model,
    'llm_traces.id': call.id,
    'llm_traces.organization_id': call.org,
    'llm_traces.agent_id': call.agent,
    'llm_traces.run_id': call.run,
    'llm_traces.step_id': call.step,
  };
  if (call.error) attributes['error.type'] = 'overloaded_error';
  else {
    attributes['gen_ai.usage.input_tokens'] = call.prompt;
    if (call.completion > 0) attributes['gen_ai.usage.output_tokens'] = call.completion;
  }
  if (call.costNanos !== null) attributes['gen_ai.usage.cost'] = Number(call.costNanos) / 1e9;
  return makeSpan({
    name: `${call.callType} ${call.model}`,
    kind: SpanKind.CLIENT,
    traceId: call.traceId,
    spanId: call.spanId,
    parentSpanId: call.parentSpanId,
    startTime: [call.startSec, 0],
    status: call.error ? { code: SpanStatusCode.ERROR, message: 'overloaded' } : undefined,
    attributes,
  });
}

function allSpans(): ReadableSpan[] {
  const structural = ORGS.flatMap((org) => {
    const start = T0 + FACTOR[org]! * 60;
    return [
      makeSpan({
        name: 'agent run',
        traceId: traceOf(org, 1),
        spanId: spanOf(org, 1),
        startTime: [start, 0],
        endTime: [start + 10, 0],
        attributes: { 'llm_traces.run_id': 'run-1', 'llm_traces.organization_id': org },
      }),
      makeSpan({
        name: 'pg.query SELECT',
        kind: SpanKind.CLIENT,
        traceId: traceOf(org, 1),
        spanId: spanOf(org, 6),
        parentSpanId: spanOf(org, 1),
        startTime: [start + 3, 0],
      }),
    ];
  });
  return [
    ...structural,
    makeSpan({
      name: 'shared workflow',
      traceId: SHARED_TRACE,
      spanId: SHARED_ROOT,
      startTime: [T0 + DAY, 0],
      endTime: [T0 + DAY + 600, 0],
    }),
    makeSpan({ name: 'healthcheck', traceId: PLAIN_TRACE, spanId: PLAIN_SPANS[0], startTime: [T0 + 7, 0] }),
    makeSpan({
      name: 'GET /health',
      kind: SpanKind.SERVER,
      traceId: PLAIN_TRACE,
      spanId: PLAIN_SPANS[1],
      parentSpanId: PLAIN_SPANS[0],
      startTime: [T0 + 8, 0],
    }),
    ...CALLS.map(llmSpan),
  ];
}

const ALL_TRACES = [...ORGS.flatMap((org) => [traceOf(org, 1), traceOf(org, 3)]), SHARED_TRACE, PLAIN_TRACE];
const CALL_IDS = ['call-1', 'call-2', 'call-3', 'call-4'];
const STEP_IDS = ['step-1', 'step-2', 'step-3', 'step-4'];
const RUN_IDS = ['run-1', 'run-2', 'run-3'];

// ---------------------------------------------------------------- what each organization must see

/** A row as seen: organization, id and span, which together name one stored call. */
const rowKey = (row: { organizationId: string; id: string; spanId: string }) => `${row.organizationId}|${row.id}|${row.spanId}`;
const callKey = (call: CallSpec) => `${call.org}|${call.id}|${call.spanId}`;
const newestFirst = (calls: CallSpec[]) => [...calls].sort((a, b) => b.startSec - a.startSec).map(callKey);

interface UsageSeen {
  key: string;
  bucketStart?: string;
  requestCount: number;
  errorCount: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  costUsd: string | null;
  pricedRequestCount: number;
}

interface RunSeen {
  traceId: string;
  spanIds: string[];
}

/** Everything an organization can observe through the reader, the API and the CLI. */
interface View {
  list: string[];
  'agent support': string[];
  'agent indexer': string[];
  'run run-1': string[];
  'call type chat': string[];
  errors: string[];
  byId: Record<string, string | null>;
  byStep: Record<string, string | null>;
  usage: Record<UsageGroupBy, UsageSeen[]>;
  large: string[];
  /** Every trace in the store: its span ids, sorted, or [] when the organization may not see it. */
  traces: Record<string, string[]>;
  runs: Record<string, RunSeen | null>;
}

function usd(nanos: bigint): string {
  const whole = nanos / 1_000_000_000n;
  const fraction = (nanos % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`;
}

/** Usage summed by hand from the call table: busiest group first, then by key (per bucket, oldest first, with `bucketOf`). */
function usageByHand(calls: CallSpec[], groupBy: UsageGroupBy, bucketOf?: (call: CallSpec) => string): UsageSeen[] {
  const column: Record<UsageGroupBy, (call: CallSpec) => string> = {
    model: (c) => c.model,
    request_model: (c) => c.model,
    agent_id: (c) => c.agent,
    call_type: (c) => c.callType,
    provider: (c) => c.provider,
  };
  const groups = new Map<string, CallSpec[]>();
  for (const call of calls) {
    const id = `${bucketOf?.(call) ?? ''}|${column[groupBy](call)}`;
    groups.set(id, [...(groups.get(id) ?? []), call]);
  }
  const rows = [...groups.entries()].map(([id, group]): UsageSeen => {
    const priced = group.filter((c) => c.costNanos !== null);
    const prompt = group.reduce((sum, c) => sum + c.prompt, 0);
    const completion = group.reduce((sum, c) => sum + c.completion, 0);
    return {
      key: column[groupBy](group[0]!),
      ...(bucketOf ? { bucketStart: id.split('|')[0]! } : {}),
      requestCount: group.length,
      errorCount: group.filter((c) => c.error).length,
      promptTokens: prompt,
      completionTokens: completion,
      totalTokens: prompt + completion,
      costUsd: priced.length === 0 ? null : usd(priced.reduce((sum, c) => sum + c.costNanos!, 0n)),
      pricedRequestCount: priced.length,
    };
  });
  return rows.sort(
    (a, b) =>
      (a.bucketStart ?? '').localeCompare(b.bucketStart ?? '') ||
      b.requestCount - a.requestCount ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
}

/** Who may see a trace: the organizations of its calls, or only the default one when it has none. */
function traceOwners(traceId: string): string[] {
  const owners = [...new Set(CALLS.filter((c) => c.traceId === traceId).map((c) => c.org))];
  return owners.length > 0 ? owners : [DEFAULT];
}

function spansOfTrace(traceId: string, uiOnly: boolean): string[] {
  const spans = allSpans().filter((s) => s.spanContext().traceId === traceId);
  // The run view leaves out the database span; every other span here is a root or an LLM call.
  return spans
    .filter((s) => !uiOnly || s.name !== 'pg.query SELECT')
    .map((s) => s.spanContext().spanId)
    .sort();
}

function expectedView(org: string): View {
  const own = CALLS.filter((c) => c.org === org);
  const one = (match: (c: CallSpec) => boolean) => {
    const found = own.filter(match);
    return found.length === 0 ? null : newestFirst(found)[0]!;
  };
  return {
    list: newestFirst(own),
    'agent support': newestFirst(own.filter((c) => c.agent === 'support')),
    'agent indexer': newestFirst(own.filter((c) => c.agent === 'indexer')),
    'run run-1': newestFirst(own.filter((c) => c.run === 'run-1')),
    'call type chat': newestFirst(own.filter((c) => c.callType === 'chat')),
    errors: newestFirst(own.filter((c) => c.error)),
    byId: Object.fromEntries(CALL_IDS.map((id) => [id, one((c) => c.id === id)])),
    byStep: Object.fromEntries(STEP_IDS.map((step) => [step, one((c) => c.step === step)])),
    usage: Object.fromEntries(USAGE_GROUP_BY.map((groupBy) => [groupBy, usageByHand(own, groupBy)])) as View['usage'],
    // Ordered by request size, which the exporter measures; which rows, is what tenancy is about.
    large: newestFirst(own).sort(),
    traces: Object.fromEntries(
      ALL_TRACES.map((traceId) => [traceId, traceOwners(traceId).includes(org) ? spansOfTrace(traceId, false) : []]),
    ),
    runs: Object.fromEntries(
      RUN_IDS.map((run) => {
        const first = own.filter((c) => c.run === run).sort((a, b) => a.startSec - b.startSec)[0];
        return [run, first ? { traceId: first.traceId, spanIds: spansOfTrace(first.traceId, true) } : null];
      }),
    ),
  };
}

/** What an organization nobody writes to sees. */
const NOTHING: View = expectedView('no-such-organization');

// ---------------------------------------------------------------- reading a view through each transport

function usageSeen(rows: Array<UsageStats | Record<string, unknown>>): UsageSeen[] {
  return rows.map((row) => {
    const r = row as Record<string, unknown>;
    return {
      key: r.key as string,
      ...(r.bucketStart === undefined ? {} : { bucketStart: new Date(r.bucketStart as string | Date).toISOString() }),
      requestCount: r.requestCount as number,
      errorCount: r.errorCount as number,
      promptTokens: r.promptTokens as number,
      completionTokens: r.completionTokens as number,
      totalTokens: r.totalTokens as number,
      costUsd: r.costUsd as string | null,
      pricedRequestCount: r.pricedRequestCount as number,
    };
  });
}

const rowsSeen = (rows: Array<{ organizationId: string; id: string; spanId: string }>) => rows.map(rowKey);
const spanIdsSeen = (spans: Array<{ spanId: string }>) => spans.map((s) => s.spanId).sort();

async function readerView(llm: LlmTraceReader, otel: OtelTraceReader): Promise<View> {
  const byKey = async <T>(keys: string[], read: (key: string) => Promise<T>) =>
    Object.fromEntries(await mapBounded(keys, 1, async (key) => [key, await read(key)]));
  const orNull = (row: LlmTraceSummary | null) => (row === null ? null : rowKey(row));
  return {
    list: rowsSeen(await llm.list()),
    'agent support': rowsSeen(await llm.listByAgent('support')),
    'agent indexer': rowsSeen(await llm.list({ agentId: 'indexer' })),
    'run run-1': rowsSeen(await llm.list({ runId: 'run-1' })),
    'call type chat': rowsSeen(await llm.list({ callType: 'chat' })),
    errors: rowsSeen(await llm.list({ isError: true })),
    byId: await byKey(CALL_IDS, async (id) => orNull(await llm.getById(id))),
    byStep: await byKey(STEP_IDS, async (step) => orNull(await llm.getByStepId(step))),
    usage: await byKey([...USAGE_GROUP_BY], async (groupBy) => usageSeen(await llm.getUsageStats({ groupBy: groupBy as UsageGroupBy }))),
    large: rowsSeen(await llm.findLargeRequests({ minSizeBytes: 0 })).sort(),
    traces: await byKey(ALL_TRACES, async (traceId) => spanIdsSeen(await otel.getTraceSpans(traceId))),
    runs: await byKey(RUN_IDS, async (run) => {
      const trace = await otel.getRunTrace(run);
      return trace && { traceId: trace.traceId, spanIds: spanIdsSeen(trace.spans) };
    }),
  } as View;
}

async function apiView(get: (path: string) => Promise<{ status: number; body: any }>): Promise<View> {
  const ok = async (path: string) => {
    const answer = await get(path);
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  /** 404 is "not this organization's": the view shows it as `missing`. */
  const orMissing = async <T>(path: string, seen: (body: any) => T, missing: T): Promise<T> => {
    const answer = await get(path);
    if (answer.status === 404 && typeof answer.body?.error === 'string') return missing;
    if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return seen(answer.body);
  };
  const byKey = async <T>(keys: string[], read: (key: string) => Promise<T>) =>
    Object.fromEntries(await mapBounded(keys, 4, async (key) => [key, await read(key)]));
  return {
    list: rowsSeen(await ok('/api/llm-traces')),
    'agent support': rowsSeen(await ok('/api/llm-traces?agent_id=support')),
    'agent indexer': rowsSeen(await ok('/api/llm-traces?agent_id=indexer')),
    'run run-1': rowsSeen(await ok('/api/llm-traces?run_id=run-1')),
    'call type chat': rowsSeen(await ok('/api/llm-traces?call_type=chat')),
    errors: rowsSeen(await ok('/api/llm-traces?is_error=true')),
    byId: await byKey(CALL_IDS, (id) => orMissing(`/api/llm-traces/${id}`, rowKey, null)),
    byStep: await byKey(STEP_IDS, (step) => orMissing(`/api/steps/${step}/llm-trace`, rowKey, null)),
    usage: await byKey([...USAGE_GROUP_BY], async (groupBy) => usageSeen(await ok(`/api/usage?group_by=${groupBy}`))),
    large: rowsSeen(await ok('/api/large-requests?min_size_bytes=0')).sort(),
    traces: await byKey(ALL_TRACES, (traceId) => orMissing(`/api/traces/${traceId}`, (body) => spanIdsSeen(body.spans), [])),
    runs: await byKey(RUN_IDS, (run) =>
      orMissing(`/api/runs/${run}/trace`, (body): RunSeen => ({ traceId: body.traceId, spanIds: spanIdsSeen(body.spans) }), null),
    ),
  } as View;
}

/** The part of a view the CLI shows: list, agent filter, stats, show, trace and trace --run. */
type CliView = Pick<View, 'list' | 'agent support' | 'errors' | 'byId' | 'traces' | 'runs'> & {
  usage: Pick<View['usage'], 'model' | 'agent_id'>;
};

function cliPart(view: View): CliView {
  return {
    list: view.list,
    'agent support': view['agent support'],
    errors: view.errors,
    byId: view.byId,
    traces: view.traces,
    runs: view.runs,
    usage: { model: view.usage.model, agent_id: view.usage.agent_id },
  };
}

async function cliView(run: (args: string[]) => Promise<{ code: number; stdout: string; stderr: string }>): Promise<CliView> {
  const json = async (args: string[]) => {
    const result = await run([...args, '--json']);
    if (result.code !== 0) throw new Error(`${args.join(' ')}: exit ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout);
  };
  /** Exit 1 with the CLI's "not in this organization" message is `missing`. */
  const orMissing = async <T>(args: string[], notFound: RegExp, seen: (json: any) => T, missing: T): Promise<T> => {
    const result = await run([...args, '--json']);
    if (result.code === 1 && notFound.test(result.stderr) && !STACK_FRAME.test(result.stderr)) return missing;
    if (result.code !== 0) throw new Error(`${args.join(' ')}: exit ${result.code}: ${result.stderr}`);
    return seen(JSON.parse(result.stdout));
  };
  const byKey = async <T>(keys: string[], read: (key: string) => Promise<T>) =>
    Object.fromEntries(await mapBounded(keys, 2, async (key) => [key, await read(key)]));
  const [list, support, errors, model, agent] = await mapBounded(
    [['list'], ['list', '--agent', 'support'], ['list', '--errors'], ['stats', '--group-by', 'model'], ['stats', '--group-by', 'agent_id']],
    2,
    json,
  );
  return {
    list: rowsSeen(list),
    'agent support': rowsSeen(support),
    errors: rowsSeen(errors),
    usage: { model: usageSeen(model), agent_id: usageSeen(agent) },
    byId: await byKey(CALL_IDS, (id) =>
      orMissing(['show', id], /^llm-traces show: No LLM call with id '.*' in this organization\.\n$/, rowKey, null),
    ),
    traces: await byKey(ALL_TRACES, (traceId) =>
      orMissing(['trace', traceId], /^llm-traces trace: No spans for trace '/, (body) => spanIdsSeen(body.spans), []),
    ),
    runs: await byKey(RUN_IDS, (runId) =>
      orMissing(
        ['trace', '--run', runId],
        /^llm-traces trace: No run '.*' in this organization\.\n$/,
        (body): RunSeen => ({ traceId: body.traceId, spanIds: spanIdsSeen(body.spans) }),
        null,
      ),
    ),
  };
}

/** The organizations as test-name and value pairs. */
const EACH_ORG = ORGS.map((org) => [org === DEFAULT ? "the default organization ''" : org, org] as const);
/** Near misses of real organization ids: each must see nothing at all. */
const NEAR_MISSES = ['ORG-A', 'org-a ', ' org-a', 'org-%', 'org-_', 'org-a\0', "org-a' OR '1'='1", 'org-a,org-b', '*'];

describe('tenancy: organizations A, B and the default one share ids but never rows', () => {
  let store: TestStore;

  beforeAll(async () => {
    store = await openTestStore();
    await exportSpans(store.client, allSpans());
  });
  afterAll(async () => {
    await store?.close();
  });

  it('the store holds every call once, the same ids in each organization', async () => {
    const result = await store.client.query({
      query: 'SELECT organization_id, id, span_id FROM otel.llm_traces ORDER BY organization_id, id',
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ organization_id: string; id: string; span_id: string }>();
    expect(rows.map((r) => `${r.organization_id}|${r.id}|${r.span_id}`).sort()).toEqual(CALLS.map(callKey).sort());
  });

  it('the expected views sum by hand to these numbers (and differ per organization)', () => {
    const model = (org: string) =>
      expectedView(org).usage.model.map((s) => [
        s.key,
        s.requestCount,
        s.errorCount,
        s.promptTokens,
        s.completionTokens,
        s.totalTokens,
        s.costUsd,
      ]);
    expect(model(ORG_A)).toEqual([
      ['gpt-4o', 2, 0, 1100, 110, 1210, '0.011'],
      ['claude-sonnet-4-5', 1, 1, 0, 0, 0, null],
      ['text-embedding-3-small', 1, 0, 7, 0, 7, '0.0001'],
    ]);
    expect(model(ORG_B)).toEqual([
      ['gpt-4o', 2, 0, 2200, 220, 2420, '0.022'],
      ['claude-sonnet-4-5', 1, 1, 0, 0, 0, null],
      ['text-embedding-3-small', 1, 0, 14, 0, 14, '0.0002'],
    ]);
    expect(model(DEFAULT)).toEqual([
      ['claude-sonnet-4-5', 1, 1, 0, 0, 0, null],
      ['gpt-4o', 1, 0, 300, 30, 330, '0.003'],
      ['text-embedding-3-small', 1, 0, 21, 0, 21, '0.0003'],
    ]);
    // The shared trace is A's and B's, with both their calls; the plain one only the default organization's.
    expect(expectedView(ORG_A).traces[SHARED_TRACE]).toEqual([spanOf(ORG_A, 5), spanOf(ORG_B, 5), SHARED_ROOT].sort());
    expect(expectedView(DEFAULT).traces[SHARED_TRACE]).toEqual([]);
    expect(expectedView(DEFAULT).traces[PLAIN_TRACE]).toEqual([...PLAIN_SPANS].sort());
    expect(Object.values(NOTHING.traces).flat()).toEqual([]);
  });

  describe('readers', () => {
    it.each(EACH_ORG)('%s sees exactly its own rows through every reader method', async (_name, org) => {
      const view = await readerView(
        new LlmTraceReader({ client: store.client, organizationId: org }),
        new OtelTraceReader({ client: store.client, organizationId: org }),
      );
      expect(view).toEqual(expectedView(org));
    });

    it.each(NEAR_MISSES)('the near miss %j sees nothing', async (org) => {
      const view = await readerView(
        new LlmTraceReader({ client: store.client, organizationId: org }),
        new OtelTraceReader({ client: store.client, organizationId: org }),
      );
      expect(view).toEqual(NOTHING);
    });

    it.each(EACH_ORG)('%s: trace and bucket filters, payloads and the full trace stay within the organization', async (_name, org) => {
      const llm = new LlmTraceReader({ client: store.client, organizationId: org });
      const otel = new OtelTraceReader({ client: store.client, organizationId: org });
      const own = CALLS.filter((c) => c.org === org);
      for (const traceId of ALL_TRACES) {
        expect(rowsSeen(await llm.list({ traceId, includePayloads: true })), traceId).toEqual(
          newestFirst(own.filter((c) => c.traceId === traceId)),
        );
        const all = await otel.getTraceSpans(traceId, { uiSpansOnly: false, limit: 5000 });
        expect(spanIdsSeen(all), traceId).toEqual(traceOwners(traceId).includes(org) ? spansOfTrace(traceId, false) : []);
      }
      const dayOf = (call: CallSpec) => new Date(Math.floor(call.startSec / DAY) * DAY * 1000).toISOString();
      for (const groupBy of USAGE_GROUP_BY) {
        expect(usageSeen(await llm.getUsageStats({ groupBy, bucket: 'day' })), groupBy).toEqual(usageByHand(own, groupBy, dayOf));
      }
      const firstDay = { start: new Date(T0 * 1000), end: new Date((T0 + DAY - 3600) * 1000) };
      expect(usageSeen(await llm.getUsageStats({ groupBy: 'agent_id', ...firstDay }))).toEqual(
        usageByHand(
          own.filter((c) => c.startSec < T0 + DAY - 3600),
          'agent_id',
        ),
      );
      expect(rowsSeen(await llm.listByAgent('support', { callType: 'chat', isError: false }))).toEqual(
        newestFirst(own.filter((c) => c.agent === 'support' && !c.error)),
      );
      expect(rowsSeen(await llm.list({ agentId: 'support', runId: 'run-2', includePayloads: true }))).toEqual(
        newestFirst(own.filter((c) => c.run === 'run-2')),
      );
    });
  });

  describe('JSON API and CLI (one serve child)', () => {
    let serve: ServeProcess;

    beforeAll(async () => {
      await store.release();
      serve = await startServe(['--path', store.path]);
    });
    afterAll(async () => {
      await serve?.stop();
    });

    it.each(EACH_ORG)('%s sees exactly its own rows through every API route, by X-Organization-Id header', async (_name, org) => {
      expect(await apiView((path) => apiGet(serve.url, path, { 'x-organization-id': org }))).toEqual(expectedView(org));
    });

    it.each(EACH_ORG)('%s sees exactly its own rows through every API route, by organization_id parameter', async (_name, org) => {
      const withOrg = (path: string) => `${path}${path.includes('?') ? '&' : '?'}${new URLSearchParams({ organization_id: org })}`;
      expect(await apiView((path) => apiGet(serve.url, withOrg(path)))).toEqual(expectedView(org));
    });

    it('the default organization is the one without header or parameter; near misses see nothing', async () => {
      expect(await apiView((path) => apiGet(serve.url, path))).toEqual(expectedView(DEFAULT));
      for (const org of NEAR_MISSES.filter((o) => !o.includes('\0') && o === o.trim())) {
        expect(await apiView((path) => apiGet(serve.url, path, { 'x-organization-id': org })), org).toEqual(NOTHING);
      }
    });

    it('the header wins over the parameter, and two headers name no organization', async () => {
      const list = async (path: string, headers: Record<string, string> | [string, string][]) => {
        const response = await fetch(`${serve.url}${path}`, { headers });
        expect(response.status).toBe(200);
        return rowsSeen((await response.json()) as LlmTraceSummary[]);
      };
      expect(await list(`/api/llm-traces?organization_id=${ORG_B}`, { 'x-organization-id': ORG_A })).toEqual(expectedView(ORG_A).list);
      // A proxy that sets the header for the default organization cannot be overridden by the caller.
      expect(await list(`/api/llm-traces?organization_id=${ORG_B}`, { 'x-organization-id': '' })).toEqual(expectedView(DEFAULT).list);
      expect(
        await list('/api/llm-traces', [
          ['x-organization-id', ORG_A],
          ['x-organization-id', ORG_B],
        ]),
      ).toEqual([]);
    });

    it.each(EACH_ORG)('%s sees exactly its own rows through every CLI command, by --org', async (_name, org) => {
      expect(await cliView((args) => cliAt(serve.url, [...args, `--org=${org}`]))).toEqual(cliPart(expectedView(org)));
    });

    it.each(EACH_ORG)('%s sees exactly its own rows through every CLI command, by LLM_TRACES_ORGANIZATION_ID', async (_name, org) => {
      expect(await cliView((args) => cliAt(serve.url, args, { LLM_TRACES_ORGANIZATION_ID: org }))).toEqual(cliPart(expectedView(org)));
    });

    it('--org wins over LLM_TRACES_ORGANIZATION_ID, and no organization at all is the default one', async () => {
      const list = async (args: string[], env: NodeJS.ProcessEnv = {}) =>
        rowsSeen(JSON.parse((await cliAt(serve.url, ['list', '--json', ...args], env)).stdout));
      expect(await list([`--org=${ORG_A}`], { LLM_TRACES_ORGANIZATION_ID: ORG_B })).toEqual(expectedView(ORG_A).list);
      expect(await list(['--org='], { LLM_TRACES_ORGANIZATION_ID: ORG_B })).toEqual(expectedView(DEFAULT).list);
      expect(await list([])).toEqual(expectedView(DEFAULT).list);
      expect(await list(['--org=ORG-A'])).toEqual([]);
    });
  });
});
