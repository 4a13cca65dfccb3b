import { beforeAll, describe, expect, it } from 'vitest';
import {
  LlmTraceReader,
  ReaderArgumentError,
  type LlmTraceSummary,
  type UsageGroupBy,
  type UsageStats,
} from '../../../src/reader/index.js';
import { parseTableDefinition } from '../../../src/schema/ddl.js';
import { ensureSchema } from '../../../src/schema/migrate.js';
import { useTestStore } from '../../support/store.js';
import { BASE_MS, expectedTrace, insertable, rows, usd, type LlmRow } from './llm-fixture.js';

const MINUTE = 60_000;
const PAYLOADS = ['requestJson', 'responseJson', 'llmConfigJson'] as const;

const store = useTestStore();
let orgA: LlmTraceReader;
let orgB: LlmTraceReader;
let defaultOrg: LlmTraceReader;

beforeAll(async () => {
  await ensureSchema(store.client, {
    database: 'otel',
    tracesTable: undefined,
    llmTable: 'llm_traces',
    ttlDays: undefined,
    cluster: undefined,
  });
  // Inserted newest first, so no ordering below can come from insertion order.
  await store.client.insert({ table: 'otel.llm_traces', values: [...rows].reverse().map(insertable), format: 'JSONEachRow' });
  orgA = new LlmTraceReader({ client: store.client, organizationId: 'org-a' });
  orgB = new LlmTraceReader({ client: store.client, organizationId: 'org-b' });
  defaultOrg = new LlmTraceReader({ client: store.client, organizationId: '' });
});

function rowsOf(organizationId: string): LlmRow[] {
  return rows.filter((row) => row.organization_id === organizationId);
}

function newestFirst(list: LlmRow[]): LlmRow[] {
  return [...list].sort((a, b) => b.createdAtMs - a.createdAtMs);
}

function summary(row: LlmRow): LlmTraceSummary {
  const { requestJson: _request, responseJson: _response, llmConfigJson: _config, ...rest } = expectedTrace(row);
  return rest;
}

describe('LlmTraceReader.getById / getByStepId', () => {
  it('returns every column of the row as a typed camelCase object', async () => {
    const row = rows[4]!;
    const trace = await orgA.getById('call-4');
    expect(trace).toEqual(expectedTrace(row));
    expect(Object.keys(trace!)).toEqual(
      parseTableDefinition('llm_traces').columns.map((column) => column.name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())),
    );
    // Nullable counts that were reported come back as numbers, unreported ones as null.
    expect(trace!.cachedInputTokens).toBe(104);
    expect(trace!.cacheWriteTokens).toBeNull();
    expect(trace!.timeToFirstTokenMs).toBe(54);
    expect(trace!.createdAt.toISOString()).toBe('2026-11-20T10:04:00.000Z');
  });

  it('returns reported zero and unreported usage distinctly', async () => {
    const noUsage = await orgA.getById('call-0');
    expect(noUsage).toMatchObject({
      hasUsage: false,
      promptTokens: 0,
      cachedInputTokens: null,
      isError: true,
      errorType: 'RateLimitError',
    });
  });

  it('returns null for an unknown id', async () => {
    expect(await orgA.getById('call-does-not-exist')).toBeNull();
  });

  it('returns the latest call of a step within the organization', async () => {
    // step-7 holds call-21 and call-22 (org-a) and call-23 (org-b).
    expect((await orgA.getByStepId('step-7'))!.id).toBe('call-22');
    expect((await orgB.getByStepId('step-7'))!.id).toBe('call-23');
    expect(await defaultOrg.getByStepId('step-7')).toBeNull();
    expect(await orgA.getByStepId('step-unknown')).toBeNull();
  });
});

describe('LlmTraceReader.listByAgent', () => {
  it('lists the agent calls newest first without payloads, 50 by default', async () => {
    const expected = newestFirst(rowsOf('org-a').filter((row) => row.agent_id === 'agent-1'));
    expect(expected.length).toBeGreaterThan(50);
    const listed = await orgA.listByAgent('agent-1');
    expect(listed).toEqual(expected.slice(0, 50).map(summary));
    for (const field of PAYLOADS) expect(listed[0]).not.toHaveProperty(field);
  });

  it('pages with limit and offset', async () => {
    const expected = newestFirst(rowsOf('org-a').filter((row) => row.agent_id === 'agent-3')).map((row) => row.id);
    const pages = [
      await orgA.listByAgent('agent-3', { limit: 20, offset: 0 }),
      await orgA.listByAgent('agent-3', { limit: 20, offset: 20 }),
      await orgA.listByAgent('agent-3', { limit: 20, offset: 40 }),
    ];
    expect(pages.flat().map((trace) => trace.id)).toEqual(expected.slice(0, 60));
    expect(pages[2]!.length).toBe(Math.min(20, expected.length - 40));
    expect(await orgA.listByAgent('agent-3', { offset: 10_000 })).toEqual([]);
  });

  it('filters by call type, error flag and time range', async () => {
    const start = new Date(BASE_MS + 40 * MINUTE);
    const end = new Date(BASE_MS + 200 * MINUTE);
    const expected = newestFirst(
      rowsOf('org-a').filter(
        (row) =>
          row.agent_id === 'agent-2' &&
          row.call_type === 'responses' &&
          !row.is_error &&
          row.createdAtMs >= start.getTime() &&
          row.createdAtMs < end.getTime(),
      ),
    );
    expect(expected.length).toBeGreaterThan(3);
    const listed = await orgA.listByAgent('agent-2', { callType: 'responses', isError: false, start, end, includePayloads: true });
    expect(listed).toEqual(expected.map(expectedTrace));
    const errors = await orgA.listByAgent('agent-2', { isError: true, limit: 1000 });
    expect(errors.map((trace) => trace.id)).toEqual(
      newestFirst(rowsOf('org-a').filter((row) => row.agent_id === 'agent-2' && row.is_error)).map((row) => row.id),
    );
  });

  it('treats start as inclusive and end as exclusive', async () => {
    // Row i is created at BASE + i minutes + i microseconds.
    const listed = await orgA.listByAgent('agent-1', { start: new Date(BASE_MS + 9 * MINUTE), end: new Date(BASE_MS + 21 * MINUTE) });
    expect(listed.map((trace) => trace.id)).toEqual(['call-13', 'call-9']);
    const atStart = await orgA.listByAgent('agent-1', { start: new Date(BASE_MS + 13 * MINUTE), end: new Date(BASE_MS + 13 * MINUTE + 1) });
    expect(atStart.map((trace) => trace.id)).toEqual(['call-13']);
  });

  it("lists the calls made outside any agent with agentId ''", async () => {
    const listed = await orgA.listByAgent('', { limit: 1000 });
    expect(listed.map((trace) => trace.id)).toEqual(newestFirst(rowsOf('org-a').filter((row) => row.agent_id === '')).map((row) => row.id));
  });
});

describe('LlmTraceReader.list', () => {
  it('lists calls across agents newest first, filtered by run, trace, call type and error flag', async () => {
    const all = await orgA.list({ limit: 1000 });
    expect(all.map((trace) => trace.id)).toEqual(newestFirst(rowsOf('org-a')).map((row) => row.id));
    // run-12 holds call-120..call-129; org-a owns 120, 121, 123, 124, 126, 127, 129.
    expect((await orgA.list({ runId: 'run-12' })).map((trace) => trace.id)).toEqual([
      'call-129',
      'call-127',
      'call-126',
      'call-124',
      'call-123',
      'call-121',
      'call-120',
    ]);
    expect((await orgA.list({ runId: 'run-12', isError: true })).map((trace) => trace.id)).toEqual(['call-126']);
    expect(
      (await orgA.list({ runId: 'run-12', callType: 'chat', includePayloads: true })).map((trace) => [trace.id, trace.requestJson]),
    ).toEqual(
      newestFirst(rowsOf('org-a').filter((row) => row.run_id === 'run-12' && row.call_type === 'chat')).map((row) => [
        row.id,
        row.request_json,
      ]),
    );
    const traceId = rows[124]!.trace_id;
    expect(await orgA.list({ traceId })).toEqual([summary(rows[124]!)]);
    expect(await orgB.list({ traceId })).toEqual([]);
    expect((await orgB.list({ runId: 'run-12' })).map((trace) => trace.id)).toEqual(['call-128', 'call-125', 'call-122']);
    await expect(orgA.list({ runId: 12 as unknown as string })).rejects.toThrow('llm-traces reader: runId must be a string (got 12)');
  });
});

function sumOf(list: LlmRow[], pick: (row: LlmRow) => number): number {
  return list.reduce((total, row) => total + pick(row), 0);
}

function reportedSum(list: LlmRow[], pick: (row: LlmRow) => number | null): number | null {
  const reported = list.map(pick).filter((value): value is number => value !== null);
  return reported.length === 0 ? null : reported.reduce((a, b) => a + b, 0);
}

/** Exact decimal sum, in nano-dollars. */
function costSum(list: LlmRow[]): string | null {
  const priced = list.map((row) => row.cost_usd).filter((cost): cost is string => cost !== null);
  if (priced.length === 0) return null;
  const nanos = (cost: string) => {
    const [whole = '0', fraction = ''] = cost.split('.');
    return BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'));
  };
  return usd(priced.reduce((total, cost) => total + nanos(cost), 0n));
}

/** ClickHouse `quantiles` below its 8192-value reservoir: linear interpolation between neighbours. */
function interpolatedQuantile(values: number[], level: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const position = level * (sorted.length - 1);
  const low = Math.floor(position);
  const high = Math.ceil(position);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (position - low);
}

/** The model as a user names it, by hand: the requested name, else the answering one, without a snapshot date. */
function modelKey(row: LlmRow): string {
  return (row.request_model || row.model).replace(/(-\d{2,})+$/, '');
}

function expectedStats(list: LlmRow[], groupBy: UsageGroupBy): UsageStats[] {
  const groups = new Map<string, LlmRow[]>();
  const keyOf = (row: LlmRow): string => (groupBy === 'model' ? modelKey(row) : row[groupBy]);
  for (const row of list) groups.set(keyOf(row), [...(groups.get(keyOf(row)) ?? []), row]);
  return [...groups.entries()]
    .map(([key, group]) => ({
      key,
      requestCount: group.length,
      errorCount: group.filter((row) => row.is_error).length,
      promptTokens: sumOf(group, (row) => row.prompt_tokens),
      completionTokens: sumOf(group, (row) => row.completion_tokens),
      totalTokens: sumOf(group, (row) => row.total_tokens),
      cachedInputTokens: reportedSum(group, (row) => row.cached_input_tokens),
      cacheWriteTokens: reportedSum(group, (row) => row.cache_write_tokens),
      reasoningTokens: reportedSum(group, (row) => row.reasoning_tokens),
      avgLatencyMs: sumOf(group, (row) => row.latency_ms) / group.length,
      p50LatencyMs: interpolatedQuantile(
        group.map((row) => row.latency_ms),
        0.5,
      ),
      p95LatencyMs: interpolatedQuantile(
        group.map((row) => row.latency_ms),
        0.95,
      ),
      requestSizeBytes: sumOf(group, (row) => row.request_size_bytes),
      responseSizeBytes: sumOf(group, (row) => row.response_size_bytes),
      costUsd: costSum(group),
      pricedRequestCount: group.filter((row) => row.cost_usd !== null).length,
    }))
    .sort((a, b) => b.requestCount - a.requestCount || (a.key < b.key ? -1 : 1));
}

/** Floats compared to 6 decimals; everything else exactly. */
function rounded(stats: UsageStats[]): UsageStats[] {
  const round = (value: number) => Math.round(value * 1e6) / 1e6;
  return stats.map((s) => ({
    ...s,
    avgLatencyMs: round(s.avgLatencyMs),
    p50LatencyMs: round(s.p50LatencyMs),
    p95LatencyMs: round(s.p95LatencyMs),
  }));
}

describe('LlmTraceReader.getUsageStats', () => {
  it.each(['model', 'request_model', 'agent_id', 'call_type', 'provider'] as const)(
    'sums usage per %s, the busiest group first',
    async (groupBy) => {
      for (const [reader, organizationId] of [
        [orgA, 'org-a'],
        [orgB, 'org-b'],
        [defaultOrg, ''],
      ] as const) {
        const stats = await reader.getUsageStats({ groupBy });
        expect(rounded(stats)).toEqual(rounded(expectedStats(rowsOf(organizationId), groupBy)));
      }
    },
  );

  it('restricts to the time range', async () => {
    const start = new Date(BASE_MS + 100 * MINUTE);
    const end = new Date(BASE_MS + 150 * MINUTE);
    const inRange = rowsOf('org-a').filter((row) => row.createdAtMs >= start.getTime() && row.createdAtMs < end.getTime());
    expect(rounded(await orgA.getUsageStats({ groupBy: 'provider', start, end }))).toEqual(rounded(expectedStats(inRange, 'provider')));
  });

  it('matches hand-computed values for a two-call window', async () => {
    // call-0 (no usage, error, latency 200) and call-1 (1003 + 51 tokens, latency 237); call-2 is org-b.
    const stats = await orgA.getUsageStats({ groupBy: 'model', start: new Date(BASE_MS), end: new Date(BASE_MS + 2 * MINUTE) });
    expect(rounded(stats)).toEqual([
      {
        key: 'gpt-4o',
        requestCount: 2,
        errorCount: 1,
        promptTokens: 1003,
        completionTokens: 51,
        totalTokens: 1054,
        cachedInputTokens: null,
        cacheWriteTokens: null,
        reasoningTokens: null,
        avgLatencyMs: 218.5,
        p50LatencyMs: 218.5,
        p95LatencyMs: 235.15,
        requestSizeBytes: 4001,
        responseSizeBytes: 1001,
        // call-1 only: input 1_001_234 + output 3_000_007 nano-dollars.
        costUsd: '0.004001241',
        pricedRequestCount: 1,
      },
    ]);
  });

  it('rejects any other groupBy, naming the allowed values', async () => {
    await expect(orgA.getUsageStats({ groupBy: 'user_id' as UsageGroupBy })).rejects.toThrow(
      "llm-traces reader: groupBy must be one of 'model', 'request_model', 'agent_id', 'call_type', 'provider' (got \"user_id\")",
    );
    await expect(orgA.getUsageStats({ groupBy: 'model; DROP TABLE otel.llm_traces' as UsageGroupBy })).rejects.toThrow(ReaderArgumentError);
  });
});

describe('LlmTraceReader.findLargeRequests', () => {
  it('returns requests of at least 1 MB by default, largest first', async () => {
    const found = await orgA.findLargeRequests();
    expect(found.map((trace) => [trace.id, trace.requestSizeBytes])).toEqual([
      ['call-357', 1_357_000],
      ['call-307', 1_307_000],
      ['call-207', 1_207_000],
      ['call-157', 1_157_000],
      ['call-57', 1_057_000],
      ['call-7', 1_007_000],
    ]);
    expect(found[0]).not.toHaveProperty('requestJson');
    expect((await orgB.findLargeRequests()).map((trace) => trace.id)).toEqual(['call-257', 'call-107']);
  });

  it('takes a threshold, a time range, a limit and payloads on request', async () => {
    const found = await orgA.findLargeRequests({ minSizeBytes: 2_290, limit: 3, includePayloads: true });
    expect(found.map((trace) => trace.id)).toEqual(['call-357', 'call-307', 'call-207']);
    expect(found[0]!.requestJson).toBe(rows[357]!.request_json);
    const recent = await orgA.findLargeRequests({ minSizeBytes: 2_390, start: new Date(BASE_MS + 390 * MINUTE) });
    expect(recent.map((trace) => trace.id)).toEqual(['call-399', 'call-397', 'call-396', 'call-394', 'call-393', 'call-391', 'call-390']);
  });
});

describe('LlmTraceReader organization isolation', () => {
  it('never returns another organization rows, through any method', async () => {
    const aIds = new Set(rowsOf('org-a').map((row) => row.id));
    expect(await orgB.getById('call-4')).toBeNull();
    expect(await defaultOrg.getById('call-4')).toBeNull();
    expect((await defaultOrg.getById('call-401'))!.organizationId).toBe('');
    expect(await orgA.getById('call-401')).toBeNull();
    for (const agent of ['agent-0', 'agent-1', 'agent-2', 'agent-3', '']) {
      const listed = await orgB.listByAgent(agent, { limit: 1000 });
      expect(listed.length).toBe(rowsOf('org-b').filter((row) => row.agent_id === agent).length);
      expect(listed.every((trace) => trace.organizationId === 'org-b' && !aIds.has(trace.id))).toBe(true);
    }
    const large = await orgB.findLargeRequests({ minSizeBytes: 0, limit: 1000 });
    expect(large.length).toBe(rowsOf('org-b').length);
    expect(large.every((trace) => trace.organizationId === 'org-b')).toBe(true);
    const stats = await orgB.getUsageStats({ groupBy: 'provider' });
    expect(stats.reduce((total, s) => total + s.requestCount, 0)).toBe(rowsOf('org-b').length);
    expect(await new LlmTraceReader({ client: store.client, organizationId: 'org-c' }).getUsageStats({ groupBy: 'model' })).toEqual([]);
  });
});

describe('LlmTraceReader argument checks', () => {
  it('rejects bad arguments with errors that name them', async () => {
    const cases: Array<[() => Promise<unknown>, string]> = [
      [() => orgA.getById(42 as unknown as string), 'id must be a non-empty string (got 42)'],
      [() => orgA.getById(''), 'id must be a non-empty string'],
      [() => orgA.getByStepId(undefined as unknown as string), 'stepId must be a non-empty string'],
      [() => orgA.listByAgent('agent-1', { limit: -1 }), 'limit must be an integer from 1 to 1000 (got -1)'],
      [() => orgA.listByAgent('agent-1', { limit: 1001 }), 'limit must be an integer from 1 to 1000 (got 1001)'],
      [() => orgA.listByAgent('agent-1', { offset: -5 }), 'offset must be an integer'],
      [() => orgA.listByAgent('agent-1', { start: new Date('not a date') }), 'start must be a valid Date (got Invalid Date)'],
      [() => orgA.listByAgent('agent-1', { start: new Date(BASE_MS + MINUTE), end: new Date(BASE_MS) }), 'start must not be after end'],
      [() => orgA.listByAgent('agent-1', { isError: 'yes' as unknown as boolean }), 'isError must be a boolean'],
      [() => orgA.findLargeRequests({ minSizeBytes: -1 }), 'minSizeBytes must be an integer'],
      [() => orgA.getUsageStats({ groupBy: 'model', end: '2026-11-20' as unknown as Date }), 'end must be a valid Date'],
    ];
    for (const [call, message] of cases) {
      await expect(call()).rejects.toThrow(ReaderArgumentError);
      await expect(call()).rejects.toThrow(message);
    }
    expect(() => new LlmTraceReader({ client: store.client, organizationId: undefined as unknown as string })).toThrow(
      'organizationId must be a string',
    );
    expect(() => new LlmTraceReader({ client: store.client, organizationId: '', table: 'llm_traces`; DROP' })).toThrow(ReaderArgumentError);
  });

  it('reads a table under another database and name', async () => {
    await ensureSchema(store.client, {
      database: 'analytics',
      tracesTable: undefined,
      llmTable: 'calls',
      ttlDays: undefined,
      cluster: undefined,
    });
    await store.client.insert({ table: 'analytics.calls', values: [insertable(rows[1]!)], format: 'JSONEachRow' });
    const reader = new LlmTraceReader({ client: store.client, organizationId: 'org-a', database: 'analytics', table: 'calls' });
    expect(await reader.getById('call-1')).toEqual(expectedTrace(rows[1]!));
    expect(await reader.getById('call-4')).toBeNull();
  });
});
