/**
 * Injection: hostile strings through every string parameter of the readers, the JSON API and the
 * CLI. Each must either be refused with the documented argument error, or answer exactly what
 * the same query with a harmless value answers: the stored row whose id is that very string, or
 * nothing. Embedded ClickHouse keeps no system.query_log, so "no other statement ran" is shown
 * by the statements the reader sent (identical SQL text to the harmless query's; only SELECTs)
 * and by every table and row count being unchanged afterwards.
 */
import { createClient } from '@clickhouse/client';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmTraceReader, MAX_LIST_LIMIT, MAX_SPAN_LIMIT, OtelTraceReader, ReaderArgumentError } from '../../../src/reader/index.js';
import { MAX_TEXT_LENGTH } from '../../../src/reader/arguments.js';
import { resolveServerOptions } from '../../../src/server/server-options.js';
import { makeSpan } from '../../support/spans.js';
import { runCli, startServe, type ServeProcess } from '../../support/serve-process.js';
import {
  apiGet,
  cliAt,
  exportSpans,
  mapBounded,
  recordingClient,
  rowsOf,
  STACK_FRAME,
  tableInventory,
  type ApiAnswer,
  type Statement,
} from './harness.js';
import { openTestStore, type TestStore } from '../../support/store.js';

const HARMLESS = 'plain-value';
const ABSENT = 'absent-value';
const OTHER_ORG = 'org-x';
const SECRET = 'secret-value';

/**
 * Hostile but legitimate values. Each is stored as the id, agent, step, run and call type of one
 * call of the default organization, so a lookup must find exactly that call: any quoting or
 * escaping on the way would miss it or find more.
 */
const STORED: ReadonlyArray<[label: string, value: string]> = [
  ['harmless', HARMLESS],
  ['single quote', "it's"],
  ['double quote', 'say "hi"'],
  ['empty SQL string', "''"],
  ['drop table', "'; DROP TABLE otel.llm_traces; --"],
  ['or 1=1', "' OR 1=1 --"],
  ['block comment', 'a /* comment */ b'],
  ['line comment', '-- comment'],
  ['union select', "' UNION SELECT name, engine FROM system.tables --"],
  ['backslash', 'back\\slash'],
  ['trailing backslash', 'ends with \\'],
  ['backslash quote', "\\' OR 1=1 --"],
  ['escape sequences as text', '\\n\\t\\0\\x27\\\\'],
  ['query placeholder', '{organizationId:String}'],
  ['placeholders with types', '{id:String} OR {limit:UInt32}'],
  ['param_ name', 'param_organizationId=org-x'],
  ['URL parameter smuggling', 'x&param_organizationId=org-x&query=DROP+TABLE+otel.llm_traces'],
  ['NUL', 'nul\0byte'],
  ['control characters', 'ctl\x01\x1b[31m\x7f\r\n\tend'],
  ['RTL override', 'rtl\u202Eeulav-nialp'],
  ['Arabic and Hebrew', 'مرحبا שלום'],
  ['emoji with ZWJ', '🧪💥👩‍💻'],
  ['combining mark and BOM', 'e\u0301\uFEFFz'],
  ['LIKE wildcards', '100%_done'],
  ['JSON object', '{"organization_id":"org-x","$ne":null}'],
  ['JSON array', '["a",1,null]'],
  ['path traversal', '../../etc/passwd'],
  ['100 KB', "' OR 1=1 -- ".repeat(8334).slice(0, 100_000)],
];

const PLAIN_TRACE = traceIdOf(0);

/** Values no row has, built to match more than they should if they reached SQL as text. */
const ATTACKS: ReadonlyArray<[label: string, value: string]> = [
  ['absent (harmless)', ABSENT],
  ['or true', "' OR '1'='1"],
  ['or true after a stored id', `${HARMLESS}' OR '1'='1`],
  ['comment out the rest', `${HARMLESS}' --`],
  ['comment out after a backslash', `${HARMLESS}\\' --`],
  ['stacked drop', `${HARMLESS}'; DROP TABLE otel.otel_traces; --`],
  ['another organization', `' OR organization_id = '${OTHER_ORG}' OR '`],
  ['every organization', "' OR organization_id != '' OR '"],
  ['union of another organization', `' UNION ALL SELECT * FROM otel.llm_traces WHERE organization_id = '${OTHER_ORG}' --`],
  ['another organization secret', `${SECRET}' OR '1'='1`],
  ['percent', '%'],
  ['underscore', '_'],
  ['prefix wildcard', 'plain-%'],
  ['single-character wildcard', 'plain_value'],
  ['other case', HARMLESS.toUpperCase()],
  ['trailing space', `${HARMLESS} `],
  ['trailing NUL', `${HARMLESS}\0`],
  ['NUL then injection', `${HARMLESS}\0' OR 1=1 --`],
  ['trace id or true', `${PLAIN_TRACE}' OR '1'='1`],
  ['upper-case trace id', PLAIN_TRACE.toUpperCase()],
  ['lone high surrogate', '\uD800'],
  ['lone low surrogate', 'a\uDC00b'],
  ['JSON $ne', '{"$ne":null}'],
  ['null as text', 'null'],
  ['RTL-wrapped stored id', `\u202E${HARMLESS}`],
  ['zero-width space', 'plain\u200B-value'],
  ['full-width quotes', `${HARMLESS}＇ OR ＇1＇=＇1`],
];

const CORPUS = [...STORED, ...ATTACKS];
const storedIndex = new Map(STORED.map(([, value], i) => [value, i]));

function traceIdOf(i: number): string {
  return `c0ffee00${i.toString(16).padStart(24, '0')}`;
}

function spanIdOf(i: number): string {
  return `5a${i.toString(16).padStart(14, '0')}`;
}

const SECRET_TRACE = 'deadbeef'.repeat(4);
const SECRET_SPAN = 'deadbeefdeadbeef';

/** One root LLM span per stored value (all its ids are the value), and one call of another organization. */
function corpusSpans(): ReadableSpan[] {
  const call = (i: number, value: string, organizationId: string, traceId: string, spanId: string) =>
    makeSpan({
      name: `call ${i}`,
      kind: SpanKind.CLIENT,
      traceId,
      spanId,
      startTime: [1_795_346_000 + i, 0],
      attributes: {
        'llm_traces.id': value,
        'llm_traces.organization_id': organizationId,
        'llm_traces.agent_id': value,
        'llm_traces.step_id': value,
        'llm_traces.run_id': value,
        'llm_traces.call_type': value,
        'llm_traces.request_json': JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }),
      },
    });
  return [
    ...STORED.map(([, value], i) => call(i, value, '', traceIdOf(i), spanIdOf(i))),
    call(STORED.length, SECRET, OTHER_ORG, SECRET_TRACE, SECRET_SPAN),
  ];
}

/** Results reduced to what identifies rows, so a mismatch prints readably. */
type Seen = string | null | string[] | { runId?: string; traceId: string; spanIds: string[] };

interface Probe {
  name: string;
  /** Reads with `value` in the probed parameter. */
  read(value: string): Promise<Seen>;
  /** What a correct reader returns for it. */
  expected(value: string): Seen;
  /** The harmless value whose statements `value`'s must equal. */
  twin(value: string): string;
}

const isStored = (value: string) => storedIndex.has(value);
const foundTwin = (value: string) => (isStored(value) ? HARMLESS : ABSENT);
const ownRow = (value: string): string[] => (isStored(value) ? [value] : []);
const ids = (rows: Array<{ id: string; organizationId: string }>) =>
  rows.map((row) => (row.organizationId === '' ? row.id : `${row.organizationId}/${row.id}`));
const idOf = (row: { id: string; organizationId: string } | null) => (row === null ? null : ids([row])[0]!);
/** The trace of the stored call whose run id is `value`: that call's span alone. */
const runOf = (value: string) => ({ traceId: traceIdOf(storedIndex.get(value)!), spanIds: [spanIdOf(storedIndex.get(value)!)] });

describe('injection through the readers, the JSON API and the CLI', () => {
  let store: TestStore;
  let inventoryBefore: Record<string, string>;

  beforeAll(async () => {
    store = await openTestStore();
    await exportSpans(store.client, corpusSpans());
    inventoryBefore = await tableInventory(rowsOf(store.client));
  });
  afterAll(async () => {
    await store?.close();
  });

  it('stored every hostile value byte for byte', async () => {
    expect(inventoryBefore).toMatchObject({
      'otel.llm_traces': `MergeTree ${STORED.length + 1} rows`,
      'otel.otel_traces': `MergeTree ${STORED.length + 1} rows`,
    });
    const rows = await rowsOf(store.client)(
      "SELECT hex(id) AS id, hex(agent_id) AS agent, hex(call_type) AS type FROM otel.llm_traces WHERE organization_id = ''",
    );
    const hex = (value: string) => Buffer.from(value, 'utf8').toString('hex').toUpperCase();
    expect(new Set(rows.map((row) => `${row.id} ${row.agent} ${row.type}`))).toEqual(
      new Set(STORED.map(([, value]) => `${hex(value)} ${hex(value)} ${hex(value)}`)),
    );
  });

  describe('readers', () => {
    let statements: Statement[];
    let llm: (organizationId: string) => LlmTraceReader;
    let otel: (organizationId: string) => OtelTraceReader;

    beforeAll(() => {
      const recording = recordingClient(store.client);
      statements = recording.statements;
      llm = (organizationId) => new LlmTraceReader({ client: recording.client, organizationId });
      otel = (organizationId) => new OtelTraceReader({ client: recording.client, organizationId });
    });

    const probes: Probe[] = [
      {
        name: 'getById(id)',
        read: async (v) => idOf(await llm('').getById(v)),
        expected: (v) => (isStored(v) ? v : null),
        twin: foundTwin,
      },
      {
        name: 'getByStepId(stepId)',
        read: async (v) => idOf(await llm('').getByStepId(v)),
        expected: (v) => (isStored(v) ? v : null),
        twin: foundTwin,
      },
      { name: 'list({ agentId })', read: async (v) => ids(await llm('').list({ agentId: v })), expected: ownRow, twin: foundTwin },
      { name: 'list({ callType })', read: async (v) => ids(await llm('').list({ callType: v })), expected: ownRow, twin: foundTwin },
      { name: 'list({ runId })', read: async (v) => ids(await llm('').list({ runId: v })), expected: ownRow, twin: foundTwin },
      { name: 'list({ traceId })', read: async (v) => ids(await llm('').list({ traceId: v })), expected: () => [], twin: () => ABSENT },
      {
        name: 'list({ agentId, callType, runId, isError, includePayloads })',
        read: async (v) => ids(await llm('').list({ agentId: v, callType: v, runId: v, isError: false, includePayloads: true })),
        expected: ownRow,
        twin: foundTwin,
      },
      {
        name: 'listByAgent(agentId)',
        read: async (v) => ids(await llm('').listByAgent(v, { callType: v })),
        expected: ownRow,
        twin: foundTwin,
      },
      {
        name: 'getTraceSpans(traceId)',
        read: async (v) => (await otel('').getTraceSpans(v, { uiSpansOnly: false })).map((s) => s.spanId),
        expected: () => [],
        twin: () => ABSENT,
      },
      {
        name: 'getRunTrace(runId)',
        read: async (v) => {
          const run = await otel('').getRunTrace(v);
          return run && { runId: run.runId, traceId: run.traceId, spanIds: run.spans.map((s) => s.spanId) };
        },
        expected: (v) => (isStored(v) ? { runId: v, ...runOf(v) } : null),
        twin: foundTwin,
      },
      // The value as the reader's organization: it owns nothing, so every method answers empty.
      { name: 'organizationId: list()', read: async (v) => ids(await llm(v).list()), expected: () => [], twin: () => ABSENT },
      {
        name: 'organizationId: getById',
        read: async (v) => idOf(await llm(v).getById(HARMLESS)),
        expected: () => null,
        twin: () => ABSENT,
      },
      {
        name: 'organizationId: getByStepId',
        read: async (v) => idOf(await llm(v).getByStepId(SECRET)),
        expected: () => null,
        twin: () => ABSENT,
      },
      {
        name: 'organizationId: listByAgent',
        read: async (v) => ids(await llm(v).listByAgent(HARMLESS)),
        expected: () => [],
        twin: () => ABSENT,
      },
      {
        name: 'organizationId: getUsageStats',
        read: async (v) => (await llm(v).getUsageStats({ groupBy: 'agent_id', bucket: 'day' })).map((s) => s.key),
        expected: () => [],
        twin: () => ABSENT,
      },
      {
        name: 'organizationId: findLargeRequests',
        read: async (v) => ids(await llm(v).findLargeRequests({ minSizeBytes: 0 })),
        expected: () => [],
        twin: () => ABSENT,
      },
      {
        name: 'organizationId: getTraceSpans',
        read: async (v) => (await otel(v).getTraceSpans(PLAIN_TRACE)).map((s) => s.spanId),
        expected: () => [],
        twin: () => ABSENT,
      },
      {
        name: 'organizationId: getRunTrace',
        read: async (v) => (await otel(v).getRunTrace(SECRET))?.traceId ?? null,
        expected: () => null,
        twin: () => ABSENT,
      },
    ];

    /** What one read returned, and the statements it sent. */
    async function statementsOf(read: () => Promise<Seen>): Promise<{ seen: Seen; queries: string[] }> {
      const from = statements.length;
      const seen = await read();
      return { seen, queries: statements.slice(from).map((s) => `${s.method}: ${s.query}`) };
    }

    /** The statements of a probe with its harmless twin value, read once. */
    const twinStatements = new Map<string, Promise<string[]>>();
    function twinQueries(probe: Probe, twin: string): Promise<string[]> {
      const key = `${probe.name}|${twin}`;
      if (!twinStatements.has(key))
        twinStatements.set(
          key,
          statementsOf(() => probe.read(twin)).then((outcome) => outcome.queries),
        );
      return twinStatements.get(key)!;
    }

    it('the harmless values read as the probes expect (a probe that finds nothing proves nothing)', async () => {
      for (const probe of probes) {
        for (const value of [HARMLESS, ABSENT]) {
          const { seen } = await statementsOf(() => probe.read(value));
          expect(seen, `${probe.name} with '${value}'`).toEqual(probe.expected(value));
        }
      }
      expect((await otel('').getTraceSpans(PLAIN_TRACE)).map((s) => s.spanId)).toEqual([spanIdOf(0)]);
      expect(idOf(await llm(OTHER_ORG).getById(SECRET))).toBe(`${OTHER_ORG}/${SECRET}`);
    });

    it.each(CORPUS)(
      '%s: every string parameter answers what the harmless value answers, with the same statements',
      async (_label, value) => {
        const mismatches: string[] = [];
        for (const probe of probes) {
          let outcome: { seen: Seen; queries: string[] };
          try {
            outcome = await statementsOf(() => probe.read(value));
          } catch (error) {
            // Text longer than any id is refused before any statement is sent, naming the argument.
            const refused = value.length > MAX_TEXT_LENGTH && error instanceof ReaderArgumentError && /must be at most/.test(error.message);
            if (!refused) mismatches.push(`${probe.name} threw ${String(error)}`);
            continue;
          }
          const expected = probe.expected(value);
          if (JSON.stringify(outcome.seen) !== JSON.stringify(expected)) {
            mismatches.push(`${probe.name} returned ${short(outcome.seen)}, expected ${short(expected)}`);
          }
          const twin = await twinQueries(probe, probe.twin(value));
          if (JSON.stringify(outcome.queries) !== JSON.stringify(twin))
            mismatches.push(`${probe.name} ran other statements: ${short(outcome.queries)}`);
        }
        expect(mismatches).toEqual([]);
      },
    );

    it('refuses a non-string for every string parameter and a non-boolean for every flag, naming it', async () => {
      const notStrings: unknown[] = [
        42,
        null,
        true,
        ['plain-value'],
        { toString: () => "' OR 1=1 --" },
        new String(HARMLESS),
        Symbol('id'),
        10n,
      ];
      const stringCalls: Array<[call: string, argument: string, run: (v: never) => unknown]> = [
        ['getById', 'id', (v) => llm('').getById(v)],
        ['getByStepId', 'stepId', (v) => llm('').getByStepId(v)],
        ['listByAgent', 'agentId', (v) => llm('').listByAgent(v)],
        ['list', 'agentId', (v) => llm('').list({ agentId: v })],
        ['list', 'callType', (v) => llm('').list({ callType: v })],
        ['list', 'runId', (v) => llm('').list({ runId: v })],
        ['list', 'traceId', (v) => llm('').list({ traceId: v })],
        ['getTraceSpans', 'traceId', (v) => otel('').getTraceSpans(v)],
        ['getRunTrace', 'runId', (v) => otel('').getRunTrace(v)],
        ['new LlmTraceReader', 'organizationId', (v) => new LlmTraceReader({ client: store.client, organizationId: v })],
        ['new OtelTraceReader', 'organizationId', (v) => new OtelTraceReader({ client: store.client, organizationId: v })],
      ];
      const notBooleans: unknown[] = ['true', 'false', 1, 0, null, "' OR 1=1 --"];
      const flagCalls: Array<[call: string, argument: string, run: (v: never) => unknown]> = [
        ['list', 'isError', (v) => llm('').list({ isError: v })],
        ['list', 'includePayloads', (v) => llm('').list({ includePayloads: v })],
        ['findLargeRequests', 'includePayloads', (v) => llm('').findLargeRequests({ includePayloads: v })],
        ['getTraceSpans', 'uiSpansOnly', (v) => otel('').getTraceSpans(PLAIN_TRACE, { uiSpansOnly: v })],
        ['getRunTrace', 'uiSpansOnly', (v) => otel('').getRunTrace(HARMLESS, { uiSpansOnly: v })],
      ];
      const from = statements.length;
      const mismatches: string[] = [];
      for (const [calls, values] of [
        [stringCalls, notStrings],
        [flagCalls, notBooleans],
      ] as const) {
        for (const [name, argument, run] of calls) {
          for (const value of values) {
            const mismatch = await refusalMismatch(() => run(value as never), argument);
            const shown = typeof value === 'symbol' ? 'a symbol' : typeof value === 'bigint' ? `${value}n` : short(value);
            if (mismatch) mismatches.push(`${name} ${argument}: ${shown} ${mismatch}`);
          }
        }
      }
      // Empty ids name nothing; an empty agent id is the documented "outside any agent".
      for (const [, argument, run] of stringCalls.slice(0, 2)) await expectArgumentError(() => run('' as never), argument);
      await expectArgumentError(() => otel('').getTraceSpans(''), 'traceId');
      await expectArgumentError(() => otel('').getRunTrace(''), 'runId');
      expect(ids(await llm('').listByAgent(''))).toEqual([]);
      // Only the listByAgent('') query ran: a refused argument never reaches the database.
      expect(statements.slice(from)).toHaveLength(1);
      expect(mismatches).toEqual([]);
    });

    it('refuses dates given as strings, numbers or invalid Dates, for every method that takes a range', async () => {
      const notDates: unknown[] = [
        '2026-11-20',
        '2026-11-20T10:00:00Z',
        1_795_346_000_000,
        new Date(Number.NaN),
        ...CORPUS.slice(0, 8).map(([, value]) => value),
      ];
      const reader = llm('');
      const ranged: Array<(range: { start?: never; end?: never }) => Promise<unknown>> = [
        (range) => reader.list(range),
        (range) => reader.listByAgent(HARMLESS, range),
        (range) => reader.getUsageStats({ groupBy: 'model', ...range }),
        (range) => reader.findLargeRequests(range),
      ];
      const from = statements.length;
      for (const call of ranged) {
        for (const value of notDates) {
          await expectArgumentError(() => call({ start: value as never }), 'start');
          await expectArgumentError(() => call({ end: value as never }), 'end');
        }
        await expectArgumentError(() => call({ start: new Date(2026, 1, 2) as never, end: new Date(2026, 1, 1) as never }), 'start');
      }
      expect(statements.slice(from)).toEqual([]);
    });

    it('takes groupBy and bucket only from their allow-lists', async () => {
      const reader = llm('');
      const columns = [
        'organization_id',
        'cost_usd',
        'request_json',
        'MODEL',
        'model ',
        ' model',
        'model,organization_id',
        '`model`',
        'model; DROP TABLE otel.llm_traces',
      ];
      const from = statements.length;
      for (const value of [...columns, ...CORPUS.map(([, v]) => v), '', 42, null]) {
        await expectArgumentError(() => reader.getUsageStats({ groupBy: value as never }), 'groupBy');
        await expectArgumentError(() => reader.getUsageStats({ groupBy: 'model', bucket: value as never }), 'bucket');
      }
      for (const value of ['minute', 'week', 'HOUR', 'toStartOfHour', 'hour)', null]) {
        await expectArgumentError(() => reader.getUsageStats({ groupBy: 'model', bucket: value as never }), 'bucket');
      }
      await expectArgumentError(() => reader.getUsageStats(undefined as never), 'groupBy');
      expect(statements.slice(from)).toEqual([]);
      const day = await reader.getUsageStats({ groupBy: 'call_type', bucket: 'day' });
      expect(day.map((row) => row.key).sort()).toEqual(STORED.map(([, value]) => value).sort());
    });

    it('caps limits: 1 to 1000 for calls, 1 to 5000 for spans; offsets and sizes are whole numbers', async () => {
      const reader = llm('');
      const badLimits: unknown[] = [0, -1, MAX_LIST_LIMIT + 1, 1e9, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '10', 10n];
      for (const limit of badLimits) {
        await expectArgumentError(() => reader.list({ limit: limit as never }), 'limit');
        await expectArgumentError(() => reader.findLargeRequests({ limit: limit as never }), 'limit');
        await expectArgumentError(() => reader.listByAgent(HARMLESS, { limit: limit as never }), 'limit');
      }
      for (const offset of [-1, 0.5, 2 ** 53, '0']) await expectArgumentError(() => reader.list({ offset: offset as never }), 'offset');
      for (const size of [-1, 0.5, 2 ** 53, '0'])
        await expectArgumentError(() => reader.findLargeRequests({ minSizeBytes: size as never }), 'minSizeBytes');
      expect(MAX_LIST_LIMIT).toBe(1000);
      expect(await reader.list({ limit: 1 })).toHaveLength(1);
      expect(await reader.list({ limit: MAX_LIST_LIMIT })).toHaveLength(STORED.length);
      expect(await reader.findLargeRequests({ minSizeBytes: 0, limit: MAX_LIST_LIMIT })).toHaveLength(STORED.length);

      const spans = otel('');
      for (const limit of [0, -1, MAX_SPAN_LIMIT + 1, 1.5, '100']) {
        await expectArgumentError(() => spans.getTraceSpans(PLAIN_TRACE, { limit: limit as never }), 'limit');
        await expectArgumentError(() => spans.getRunTrace(HARMLESS, { limit: limit as never }), 'limit');
      }
      expect(MAX_SPAN_LIMIT).toBe(5000);
      expect(await spans.getTraceSpans(PLAIN_TRACE, { limit: MAX_SPAN_LIMIT })).toHaveLength(1);
      expect((await spans.getRunTrace(HARMLESS, { limit: 1 }))?.spans).toHaveLength(1);
    });

    it('takes database and table names only as plain identifiers', () => {
      for (const name of [
        'otel; DROP TABLE otel.llm_traces',
        'otel.llm_traces',
        'llm`traces',
        "llm'traces",
        'llm traces',
        '1table',
        '',
        'system.tables --',
      ]) {
        expect(() => new LlmTraceReader({ client: store.client, organizationId: '', database: name })).toThrow(ReaderArgumentError);
        expect(() => new LlmTraceReader({ client: store.client, organizationId: '', table: name })).toThrow(ReaderArgumentError);
        expect(() => new OtelTraceReader({ client: store.client, database: name })).toThrow(ReaderArgumentError);
        expect(() => new OtelTraceReader({ client: store.client, table: name })).toThrow(ReaderArgumentError);
        expect(() => new OtelTraceReader({ client: store.client, llmTable: name })).toThrow(ReaderArgumentError);
      }
    });

    it('sent only SELECTs, each with its parameters apart, and every table still has its rows', async () => {
      expect(statements.length).toBeGreaterThan(CORPUS.length * probes.length);
      expect(statements.filter((s) => s.method !== 'query' || !s.query.startsWith('SELECT '))).toEqual([]);
      expect(statements.filter((s) => Object.keys(s.params).length === 0)).toEqual([]);
      expect(await tableInventory(rowsOf(store.client))).toEqual(inventoryBefore);
    });
  });

  describe('JSON API and CLI (one serve child)', () => {
    let serve: ServeProcess;
    let get: (path: string, headers?: Record<string, string>) => Promise<ApiAnswer>;

    beforeAll(async () => {
      await store.release();
      serve = await startServe(['--path', store.path]);
      get = (path, headers) => apiGet(serve.url, path, headers);
    });
    afterAll(async () => {
      await serve?.stop();
    });

    interface ApiProbe {
      name: string;
      path(value: string): string;
      /** Undefined when the value cannot be sent in a header at all. */
      headers?: (value: string) => Record<string, string> | undefined;
      expected(value: string): Expected;
      /** The value is a percent-encoded path segment rather than a query parameter. */
      inPath?: boolean;
    }

    const q = (name: string, value: string) => new URLSearchParams([[name, value]]).toString();
    const notFound = (error: RegExp): Expected => ({ status: 404, error });
    const badRequest = (parameter: string): Expected => ({ status: 400, error: new RegExp(`^${parameter} must `) });
    const empty: Expected = { status: 200, body: [] };

    const apiProbes: ApiProbe[] = [
      { name: 'agent_id', path: (v) => `/api/llm-traces?${q('agent_id', v)}`, expected: (v) => ({ status: 200, body: ownRow(v) }) },
      { name: 'call_type', path: (v) => `/api/llm-traces?${q('call_type', v)}`, expected: (v) => ({ status: 200, body: ownRow(v) }) },
      { name: 'run_id', path: (v) => `/api/llm-traces?${q('run_id', v)}`, expected: (v) => ({ status: 200, body: ownRow(v) }) },
      { name: 'organization_id on list', path: (v) => `/api/llm-traces?${q('organization_id', v)}`, expected: () => empty },
      {
        name: 'X-Organization-Id on list',
        path: () => '/api/llm-traces',
        headers: (v) => (headerSafe(v) ? { 'x-organization-id': v } : undefined),
        expected: () => empty,
      },
      { name: 'organization_id on usage', path: (v) => `/api/usage?group_by=agent_id&${q('organization_id', v)}`, expected: () => empty },
      {
        name: 'organization_id on large requests',
        path: (v) => `/api/large-requests?min_size_bytes=0&${q('organization_id', v)}`,
        expected: () => empty,
      },
      {
        name: 'organization_id on a call',
        path: (v) => `/api/llm-traces/${HARMLESS}?${q('organization_id', v)}`,
        expected: () => notFound(/^no LLM call with id/),
      },
      {
        name: 'organization_id on a step',
        path: (v) => `/api/steps/${HARMLESS}/llm-trace?${q('organization_id', v)}`,
        expected: () => notFound(/^no LLM call for step/),
      },
      {
        name: 'organization_id on a trace',
        path: (v) => `/api/traces/${PLAIN_TRACE}?${q('organization_id', v)}`,
        expected: () => notFound(/^no spans for trace/),
      },
      {
        name: 'organization_id on a run',
        path: (v) => `/api/runs/${HARMLESS}/trace?${q('organization_id', v)}`,
        expected: () => notFound(/^no run/),
      },
      {
        name: '/api/llm-traces/:id',
        inPath: true,
        path: (v) => `/api/llm-traces/${percentEncode(v)}`,
        expected: (v) => (isStored(v) ? { status: 200, body: v } : notFound(/^no LLM call with id/)),
      },
      {
        name: '/api/steps/:stepId/llm-trace',
        inPath: true,
        path: (v) => `/api/steps/${percentEncode(v)}/llm-trace`,
        expected: (v) => (isStored(v) ? { status: 200, body: v } : notFound(/^no LLM call for step/)),
      },
      {
        name: '/api/traces/:traceId',
        inPath: true,
        path: (v) => `/api/traces/${percentEncode(v)}`,
        expected: () => notFound(/^no spans for trace/),
      },
      {
        name: '/api/runs/:runId/trace',
        inPath: true,
        path: (v) => `/api/runs/${percentEncode(v)}/trace`,
        expected: (v) => (isStored(v) ? { status: 200, body: runOf(v) } : notFound(/^no run/)),
      },
      { name: 'group_by', path: (v) => `/api/usage?${q('group_by', v)}`, expected: () => badRequest('group_by') },
      { name: 'start', path: (v) => `/api/llm-traces?agent_id=${ABSENT}&${q('start', v)}`, expected: () => badRequest('start') },
      { name: 'end', path: (v) => `/api/usage?${q('end', v)}`, expected: () => badRequest('end') },
      { name: 'limit', path: (v) => `/api/llm-traces?${q('limit', v)}`, expected: () => badRequest('limit') },
      { name: 'offset', path: (v) => `/api/large-requests?${q('offset', v)}`, expected: () => badRequest('offset') },
      {
        name: 'min_size_bytes',
        path: (v) => `/api/large-requests?${q('min_size_bytes', v)}`,
        expected: () => badRequest('min_size_bytes'),
      },
      { name: 'is_error', path: (v) => `/api/llm-traces?${q('is_error', v)}`, expected: () => badRequest('is_error') },
      {
        name: 'ui_spans_only',
        path: (v) => `/api/traces/${PLAIN_TRACE}?${q('ui_spans_only', v)}`,
        expected: () => badRequest('ui_spans_only'),
      },
      { name: 'span limit', path: (v) => `/api/runs/${HARMLESS}/trace?${q('limit', v)}`, expected: () => badRequest('limit') },
      {
        name: 'as a parameter name',
        path: (v) => `/api/llm-traces?${q(v, '1')}`,
        expected: () => ({ status: 400, error: /^unknown parameter '/ }),
      },
    ];

    /**
     * Node's HTTP parser refuses a request head over 16 KiB with 431 before the API sees it (a
     * server that takes longer ones must answer as for any other value); a lone surrogate has no
     * UTF-8 form, so its percent-encoding is refused as invalid.
     */
    function expectedAnswers(probe: ApiProbe, value: string, path: string, headers: Record<string, string> = {}): Expected[] {
      const expected =
        probe.inPath && !value.isWellFormed() ? { status: 400, error: /^the path is not valid percent-encoding$/ } : probe.expected(value);
      const headBytes = Buffer.byteLength(path) + Object.values(headers).reduce((sum, header) => sum + Buffer.byteLength(header), 0);
      const answers = headBytes > 16 * 1024 ? [{ status: 431, error: null }, expected] : [expected];
      // Text longer than any id is refused, naming the argument.
      return value.length > MAX_TEXT_LENGTH ? [...answers, { status: 400, error: /must be at most 16384 characters/ }] : answers;
    }

    it('the harmless values answer as the probes expect (a probe that finds nothing proves nothing)', async () => {
      for (const probe of apiProbes) {
        for (const value of [HARMLESS, ABSENT]) {
          const answer = await get(probe.path(value), probe.headers?.(value));
          expect(matches(answer, probe.expected(value)), `${probe.name} with '${value}': ${short(answer)}`).toBe(true);
        }
      }
      expect(seenOf(await get(`/api/traces/${PLAIN_TRACE}`))).toEqual({
        status: 200,
        body: { traceId: PLAIN_TRACE, spanIds: [spanIdOf(0)] },
      });
      expect(seenOf(await get(`/api/llm-traces/${SECRET}`, { 'x-organization-id': OTHER_ORG }))).toEqual({
        status: 200,
        body: `${OTHER_ORG}/${SECRET}`,
      });
    });

    it.each(CORPUS)('%s: every API parameter and path segment answers what the harmless value answers, or 400', async (_label, value) => {
      const answers = await mapBounded(apiProbes, 4, async (probe) => {
        const headers = probe.headers?.(value);
        if (probe.headers && !headers) return undefined;
        const path = probe.path(value);
        return { probe, path, headers, answer: await get(path, headers) };
      });
      const mismatches: string[] = [];
      for (const outcome of answers) {
        if (!outcome) continue;
        const expected = expectedAnswers(outcome.probe, value, outcome.path, outcome.headers);
        if (!expected.some((one) => matches(outcome.answer, one)))
          mismatches.push(`${outcome.probe.name}: got ${short(outcome.answer)}, expected ${short(expected)}`);
      }
      expect(mismatches).toEqual([]);
    });

    it('refuses repeated and smuggled parameters and over-large limits; the header decides the organization', async () => {
      expect(await get(`/api/llm-traces?organization_id=&organization_id=${OTHER_ORG}`)).toEqual({
        status: 400,
        body: { error: "parameter 'organization_id' given more than once" },
      });
      expect(await get(`/api/llm-traces?agent_id=${HARMLESS}&agent_id=x`)).toEqual({
        status: 400,
        body: { error: "parameter 'agent_id' given more than once" },
      });
      expect(await get(`/api/llm-traces?param_organizationId=${OTHER_ORG}`)).toMatchObject({
        status: 400,
        body: { error: expect.stringMatching(/^unknown parameter 'param_organizationId'/) },
      });
      expect(await get('/api/llm-traces?query=DROP%20TABLE%20otel.llm_traces')).toMatchObject({
        status: 400,
        body: { error: expect.stringMatching(/^unknown parameter 'query'/) },
      });
      expect(seenOf(await get(`/api/llm-traces?organization_id=${OTHER_ORG}`, { 'x-organization-id': '' }))).toEqual({
        status: 200,
        body: STORED.map(([, v]) => v).reverse(),
      });
      expect(seenOf(await get('/api/llm-traces?organization_id=', { 'x-organization-id': OTHER_ORG }))).toEqual({
        status: 200,
        body: [`${OTHER_ORG}/${SECRET}`],
      });
      expect(await get('/api/llm-traces?limit=1001')).toMatchObject({
        status: 400,
        body: { error: expect.stringContaining('limit must be an integer from 1 to 1000') },
      });
      expect(await get('/api/llm-traces?limit=0')).toMatchObject({
        status: 400,
        body: { error: expect.stringContaining('limit must be an integer from 1 to 1000') },
      });
      expect(seenOf(await get('/api/llm-traces?limit=1000')).body).toHaveLength(STORED.length);
      expect(await get(`/api/traces/${PLAIN_TRACE}?limit=5001`)).toMatchObject({
        status: 400,
        body: { error: expect.stringContaining('limit must be an integer from 1 to 5000') },
      });
      expect(await get(`/api/runs/${HARMLESS}/trace?limit=0`)).toMatchObject({
        status: 400,
        body: { error: expect.stringContaining('limit must be an integer from 1 to 5000') },
      });
      expect(await get(`/api/traces/${PLAIN_TRACE}?limit=5000`)).toMatchObject({ status: 200 });
    });

    /** A subset of the corpus for the CLI: every process start costs a few hundred milliseconds. */
    const CLI_LABELS = [
      'harmless',
      'or true',
      'drop table',
      'backslash quote',
      'query placeholder',
      'URL parameter smuggling',
      'emoji with ZWJ',
      '100 KB',
      'absent (harmless)',
      'every organization',
      'lone high surrogate',
    ];
    const CLI_VALUES = CORPUS.filter(([label]) => CLI_LABELS.includes(label));

    interface CliProbe {
      name: string;
      args(value: string): string[];
      env?: (value: string) => NodeJS.ProcessEnv;
      /** Exit 0 printing JSON that shows this, or exit 1 with a message matching `error`. */
      expected(value: string): { json: unknown } | { error: RegExp };
    }

    const cliProbes: CliProbe[] = [
      {
        name: 'show <id>',
        args: (v) => ['show', '--json', '--', v],
        expected: (v) => (isStored(v) ? { json: v } : { error: /^llm-traces show: No LLM call with id '/ }),
      },
      { name: 'list --agent', args: (v) => ['list', '--json', `--agent=${v}`], expected: (v) => ({ json: ownRow(v) }) },
      { name: 'list --call-type', args: (v) => ['list', '--json', `--call-type=${v}`], expected: (v) => ({ json: ownRow(v) }) },
      { name: 'list --org', args: (v) => ['list', '--json', `--org=${v}`], expected: () => ({ json: [] }) },
      { name: 'stats --org', args: (v) => ['stats', '--json', `--org=${v}`], expected: () => ({ json: [] }) },
      {
        name: 'LLM_TRACES_ORGANIZATION_ID',
        args: () => ['list', '--json'],
        env: (v) => ({ LLM_TRACES_ORGANIZATION_ID: v }),
        expected: () => ({ json: [] }),
      },
      {
        name: 'trace <id>',
        args: (v) => ['trace', '--json', '--', v],
        expected: () => ({ error: /^llm-traces trace: No spans for trace '/ }),
      },
      {
        name: 'trace --org',
        args: (v) => ['trace', '--json', `--org=${v}`, '--', PLAIN_TRACE],
        expected: () => ({ error: /^llm-traces trace: No spans for trace '/ }),
      },
      {
        name: 'trace --run',
        args: (v) => ['trace', '--json', `--run=${v}`],
        expected: (v) => (isStored(v) ? { json: runOf(v) } : { error: /^llm-traces trace: No run '/ }),
      },
      {
        name: 'stats --group-by',
        args: (v) => ['stats', `--group-by=${v}`],
        expected: () => ({ error: /^llm-traces stats: --group-by '/ }),
      },
      {
        name: 'list --start',
        args: (v) => ['list', `--agent=${ABSENT}`, `--start=${v}`],
        expected: () => ({ error: /^llm-traces list: --start '/ }),
      },
      { name: 'list --limit', args: (v) => ['list', `--limit=${v}`], expected: () => ({ error: /^llm-traces list: --limit '/ }) },
    ];

    it('the harmless value reads through the CLI as the probes expect', async () => {
      const shown = await cliAt(serve.url, ['show', '--json', HARMLESS]);
      expect(shown.code, shown.stderr).toBe(0);
      expect(idOf(JSON.parse(shown.stdout))).toBe(HARMLESS);
      const run = await cliAt(serve.url, ['trace', '--json', `--run=${HARMLESS}`]);
      expect(seenJson(JSON.parse(run.stdout))).toEqual(runOf(HARMLESS));
      expect(seenJson(JSON.parse((await cliAt(serve.url, ['list', '--json'], { LLM_TRACES_ORGANIZATION_ID: OTHER_ORG })).stdout))).toEqual([
        `${OTHER_ORG}/${SECRET}`,
      ]);
    });

    it.each(CLI_VALUES)(
      '%s: every CLI argument answers what the harmless value answers, or exits 2 naming a refused argument (1: not found)',
      async (_label, value) => {
        const results = await mapBounded(cliProbes, 2, async (probe) => ({
          probe,
          result: await cliAt(serve.url, probe.args(value), probe.env?.(value)),
        }));
        const mismatches: string[] = [];
        for (const { probe, result } of results) {
          const probed = probe.expected(value);
          // A value longer than any id is refused naming the argument, unless the flag's own check refuses it first.
          const flagRefused = 'error' in probed && /: --/.test(probed.error.source);
          const expected = value.length > MAX_TEXT_LENGTH && !flagRefused ? { error: /must be at most 16384 characters/ } : probed;
          if (STACK_FRAME.test(result.stderr)) mismatches.push(`${probe.name} printed a stack trace: ${short(result.stderr)}`);
          if ('json' in expected) {
            const seen = result.code === 0 ? seenJson(JSON.parse(result.stdout)) : `exit ${result.code}: ${result.stderr}`;
            if (JSON.stringify(seen) !== JSON.stringify(expected.json))
              mismatches.push(`${probe.name}: got ${short(seen)}, expected ${short(expected.json)}`);
          } else {
            // A refused flag value (the message names the flag) or argument exits 2; what is not found exits 1.
            const code = /: --|must be at most/.test(expected.error.source) ? 2 : 1;
            if (result.code !== code || !expected.error.test(result.stderr) || result.stdout !== '')
              mismatches.push(
                `${probe.name}: exit ${result.code}, stderr ${short(result.stderr)}, stdout ${short(result.stdout)}; expected exit ${code} with ${expected.error}`,
              );
          }
        }
        expect(mismatches).toEqual([]);
      },
    );

    it('every table still has its rows after the API and CLI runs', async () => {
      const client = createClient({ url: serve.url });
      try {
        expect(await tableInventory(rowsOf(client))).toEqual(inventoryBefore);
      } finally {
        await client.close();
      }
    });
  });
});

describe('llm-traces serve without credentials', () => {
  it('refuses every host that is not loopback, and accepts the loopback ones', () => {
    const refused = [
      '0.0.0.0',
      '::',
      '[::]',
      '',
      '10.0.0.1',
      '192.168.1.2',
      '::ffff:10.0.0.1',
      'example.com',
      '127.0.0.1.example.com',
      'localhost.example.com',
      '0177.0.0.1',
      '127.1',
    ];
    for (const host of refused) {
      expect(() => resolveServerOptions({ path: '/tmp/never-opened', host }), host).toThrow(/refusing to listen on .* without credentials/);
      expect(() => resolveServerOptions({ path: '/tmp/never-opened', host, user: 'dev', password: '' }), host).toThrow(
        /without credentials/,
      );
      expect(resolveServerOptions({ path: '/tmp/never-opened', host, password: 'secret' }).host).toBe(host);
    }
    for (const host of ['127.0.0.1', '127.9.8.7', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(resolveServerOptions({ path: '/tmp/never-opened', host }).host).toBe(host);
    }
  });

  it('the serve command exits 1 with the reason before it opens the store or listens', async () => {
    // A TEST-NET address: even a broken check could not listen on it, so nothing is ever exposed.
    const result = await runCli(['serve', '--path', '/tmp/llm-traces-never-opened', '--host', '192.0.2.1', '--port', '0']);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(STACK_FRAME);
    expect(result.stderr).toMatch(/^llm-traces serve: refusing to listen on 192\.0\.2\.1 without credentials/);
  });
});

async function expectArgumentError(call: () => unknown, argument: string): Promise<void> {
  expect(await refusalMismatch(call, argument)).toBeUndefined();
}

/** Undefined when `call` throws the ReaderArgumentError that names `argument`; else what it did instead. */
async function refusalMismatch(call: () => unknown, argument: string): Promise<string | undefined> {
  try {
    await call();
    return `accepted; expected a ReaderArgumentError naming ${argument}`;
  } catch (error) {
    if (!(error instanceof ReaderArgumentError)) return `threw ${String(error)}`;
    if (error.argument !== argument || !error.message.startsWith(`llm-traces reader: ${argument} must `))
      return `named ${error.argument}: ${error.message}`;
    return undefined;
  }
}

/** An API answer as expected: 200 with what `seenOf` shows, or an error status whose JSON `error` matches (null: no JSON body). */
type Expected = { status: 200; body: unknown } | { status: number; error: RegExp | null };

function matches(answer: ApiAnswer, expected: Expected): boolean {
  if (answer.status !== expected.status) return false;
  if ('body' in expected) return JSON.stringify(seenOf(answer).body) === JSON.stringify(expected.body);
  return expected.error === null || (typeof answer.body?.error === 'string' && expected.error.test(answer.body.error));
}

/** What a 200 answer shows of the rows, reduced like the reader probes' results. */
function seenOf(answer: ApiAnswer): ApiAnswer {
  return answer.status === 200 ? { status: 200, body: seenJson(answer.body) } : answer;
}

function seenJson(json: any): unknown {
  if (Array.isArray(json)) return ids(json);
  if (json && typeof json === 'object' && 'spans' in json)
    return { traceId: json.traceId, spanIds: json.spans.map((s: { spanId: string }) => s.spanId) };
  return idOf(json);
}

/** Printable ASCII without surrounding spaces: what an HTTP header can carry unchanged. */
function headerSafe(value: string): boolean {
  return /^[\x21-\x7e](?:[\x20-\x7e]*[\x21-\x7e])?$/.test(value);
}

/** encodeURIComponent, except that a lone surrogate is sent as its (invalid) 3-byte UTF-8 form instead of throwing. */
function percentEncode(value: string): string {
  let out = '';
  for (const char of value) {
    const unit = char.charCodeAt(0);
    if (char.length === 1 && unit >= 0xd800 && unit <= 0xdfff) {
      out += [0xe0 | (unit >> 12), 0x80 | ((unit >> 6) & 0x3f), 0x80 | (unit & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    } else {
      out += encodeURIComponent(char);
    }
  }
  return out;
}

function short(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value, (_key, v: unknown) => (v instanceof RegExp ? String(v) : v));
  return text === undefined ? String(value) : text.length > 300 ? `${text.slice(0, 300)}...(${text.length} chars)` : text;
}
