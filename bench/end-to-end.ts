/**
 * Section 2: spans handed to a BatchSpanProcessor until they are queryable, into embedded
 * ClickHouse in this process and over HTTP through the local server (`llm-traces serve`'s core)
 * running in another process, as it does in use.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { batchSpanProcessorConfig, ClickHouseBatchSpanProcessor } from '../src/delivery/batching.js';
import { splitBySize } from '../src/delivery/queue.js';
import { MAX_INSERT_BYTES } from '../src/delivery/writer.js';
import { openClient, type OpenedClient } from '../src/store/connection.js';
import { INSERT_COLUMNS, serializeRows } from '../src/delivery/serialize.js';
import { toRowBatch } from '../src/pipeline/convert.js';
import { ClickHouseTraceExporter } from '../src/exporter.js';
import { BATCH_SIZE, chunk } from './exporting.js';
import { progress, sized, type BenchOptions } from './options.js';
import { startService } from './processes.js';
import type { Figure, SectionResult, Table } from './report.js';
import { generateSpans, toReadableSpan, type StreamKind } from './spans.js';
import { MiB, median } from './stats.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

interface Store {
  exporter: ClickHouseTraceExporter;
  client: ClickHouseClient;
  /** The writer's own insert path, for the engine-alone ceiling (embedded only). */
  ceilingInsert: OpenedClient['insertRows'] | undefined;
  close(): Promise<void>;
}

interface Run {
  spansPerSecond: number;
  megabytesPerSecond: number;
}

/** What a store's runs of the register set-up give, for the ratios: per stream, the medians and the ratio to the engine alone. */
interface StoreSummary {
  table: Table;
  register: Partial<Record<StreamKind, { run: Run; ofEngine: number | undefined }>>;
}

/** The SDK's default batch, and the one `llm-traces/register` sets up. */
const REGISTER_BATCH_SIZE = batchSpanProcessorConfig().maxExportBatchSize!;
const BATCH_SIZES = [BATCH_SIZE, REGISTER_BATCH_SIZE];
/**
 * Whole batches of either size, so no span waits for the processor's 5 s timer, and enough of them
 * that a stream is mostly steady state: the first conversion and the last insert overlap nothing.
 */
const STREAMS: ReadonlyArray<{ kind: StreamKind; quick: number; full: number }> = [
  { kind: 'plain', quick: 3 * REGISTER_BATCH_SIZE, full: 13 * REGISTER_BATCH_SIZE },
  { kind: 'mixed', quick: 2 * REGISTER_BATCH_SIZE, full: 8 * REGISTER_BATCH_SIZE },
];

export async function measureEndToEnd(options: BenchOptions): Promise<SectionResult> {
  const repetitions = sized(options, 1, 3);
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = makeTempDir('e2e');
    dirs.push(dir);
    return dir;
  };
  try {
    const embedded = await measureStore('embedded', () => openEmbedded(tempDir()), options, repetitions);
    let http: StoreSummary | string;
    try {
      http = await measureStore('HTTP', () => openHttp(tempDir()), options, repetitions);
    } catch (error) {
      http = error instanceof Error ? error.message : String(error);
      progress(`end-to-end over HTTP not measured: ${http}`);
    }
    const ratios = ratioTable(embedded, typeof http === 'string' ? undefined : http);
    const notes = [
      `Each run generates fresh spans (seeded), hands all of them to a new span processor (one export at a time as the SDK does, the next as soon as the previous reports back; maxQueueSize raised to the run's size so none is dropped), waits until the processor has handed the last span to the exporter, then for exporter.forceFlush() (every row stored), and checks count() on both tables. Time runs from the first span handed over to the last row queryable. Median of ${repetitions} runs. Two set-ups: the SDK's BatchSpanProcessor with its default batch of ${BATCH_SIZE} spans per export, and ClickHouseBatchSpanProcessor with ${REGISTER_BATCH_SIZE} per export as \`llm-traces/register\` sets it up.`,
      'An export answers once its rows are accepted by the bounded delivery buffer, so the next batch is converted while the one before is inserted (up to 4 inserts in flight). The ceiling rows give the engine alone; the ratios compare the register set-up with the ceiling at its batch size, measured on the same generated spans in the same repetition (median of the per-repetition ratios).',
      'Payload MB/s counts the bytes the application handed over: span names, attribute keys and values (LLM message and payload JSON included), 1 MB = 2^20 bytes.',
      'Embedded: the exporter with `path` (chDB in the exporting process, a fresh temp directory). HTTP: the exporter with `endpoint` set to startClickHouseHttpServer in a separate process with its own fresh directory.',
      `Ceiling rows: the same spans converted and serialized before the clock starts, cut into inserts of at most ${MAX_INSERT_BYTES / 2 ** 20} MiB as the writer cuts them, then inserted through a second connection to the same store with the insert settings the writer uses (both tables at once, one batch after another), at the BatchSpanProcessor's batch size and 8 times that: what the engine allows before any exporter work.`,
      "The bound row inserts the same otel_traces bytes into a Null-engine table with the same columns: only chDB's parsing of the rows, a hard upper bound for any exporter writing this schema through this engine.",
    ];
    if (typeof http === 'string') notes.push(`HTTP path: n/a: ${http}`);
    return { id: 'end-to-end', tables: [ratios, embedded.table, ...(typeof http === 'string' ? [] : [http.table])], notes };
  } finally {
    for (const dir of dirs) removeTempDir(dir);
  }
}

async function measureStore(
  name: 'embedded' | 'HTTP',
  open: () => Promise<Store>,
  options: BenchOptions,
  repetitions: number,
): Promise<StoreSummary> {
  const store = await open();
  const figures: Figure[] = [];
  const register: StoreSummary['register'] = {};
  try {
    let seed = options.seed * 1000;
    for (const stream of STREAMS) {
      const count = sized(options, stream.quick, stream.full);
      const runs: Record<number, Run[]> = {};
      const ceilings: Record<number, Run[]> = {};
      const parseOnly: Run[] = [];
      for (let r = 0; r < repetitions; r++) {
        progress(`end-to-end ${name}: ${stream.kind} stream, run ${r + 1}/${repetitions}, ${count} spans`);
        const generated = generateSpans(count, stream.kind, ++seed);
        for (const batchSize of BATCH_SIZES) {
          (runs[batchSize] ??= []).push(await runOnce(store, generated, batchSize));
          if (store.ceilingInsert)
            (ceilings[batchSize] ??= []).push(await insertCeiling(store.ceilingInsert, generated, batchSize, STORED));
        }
        if (store.ceilingInsert && stream.kind === 'plain')
          parseOnly.push(await insertCeiling(store.ceilingInsert, generated, REGISTER_BATCH_SIZE, PARSED_ONLY));
      }
      const registerRuns = runs[REGISTER_BATCH_SIZE]!;
      const registerCeilings = ceilings[REGISTER_BATCH_SIZE];
      register[stream.kind] = {
        run: {
          spansPerSecond: median(registerRuns.map((r) => r.spansPerSecond)),
          megabytesPerSecond: median(registerRuns.map((r) => r.megabytesPerSecond)),
        },
        ofEngine: registerCeilings && median(registerRuns.map((r, i) => r.spansPerSecond / registerCeilings[i]!.spansPerSecond)),
      };
      const label = stream.kind === 'plain' ? `non-LLM stream (${count} spans)` : `mixed stream (${count} spans, 10% LLM)`;
      for (const batchSize of BATCH_SIZES) {
        const setup =
          batchSize === BATCH_SIZE
            ? `SDK default BatchSpanProcessor (${batchSize} per export)`
            : `ClickHouseBatchSpanProcessor as llm-traces/register sets it up (${batchSize} per export)`;
        figures.push(
          {
            label: `${label}, ${setup}: spans/s`,
            value: median(runs[batchSize]!.map((r) => r.spansPerSecond)),
            unit: 'spans/s',
            digits: 0,
          },
          {
            label: `${label}, ${setup}: payload MB/s`,
            value: median(runs[batchSize]!.map((r) => r.megabytesPerSecond)),
            unit: 'MB/s',
            digits: 1,
          },
        );
      }
      figures.push(
        ...Object.entries(ceilings).map(([batchSize, ceiling]): Figure => ({
          label: `${label}: ceiling: the same rows pre-serialized, chDB INSERT alone, ${batchSize} spans per insert`,
          value: median(ceiling.map((r) => r.spansPerSecond)),
          unit: 'spans/s',
          digits: 0,
          note: `${median(ceiling.map((r) => r.megabytesPerSecond)).toFixed(1)} MB/s`,
        })),
      );
      if (parseOnly.length > 0) {
        figures.push({
          label: `${label}: bound: chDB parsing the otel_traces rows alone (into a Null-engine copy of the table: nothing stored, no view), ${REGISTER_BATCH_SIZE} spans per insert`,
          value: median(parseOnly.map((r) => r.spansPerSecond)),
          unit: 'spans/s',
          digits: 0,
        });
      }
    }
  } finally {
    await store.close();
  }
  return {
    table: {
      title: name === 'embedded' ? 'Embedded ClickHouse (chDB, in process)' : 'HTTP through the local server (separate process)',
      figures,
    },
    register,
  };
}

/** The ratios, each measured within this run: the register set-up against the engine alone, and HTTP against embedded. */
function ratioTable(embedded: StoreSummary, http: StoreSummary | undefined): Table {
  const plain = embedded.register.plain;
  const mixed = embedded.register.mixed;
  const viaHttp = (kind: StreamKind, pick: (run: Run) => number): number | undefined => {
    const over = http?.register[kind]?.run;
    const base = embedded.register[kind]?.run;
    return over && base ? pick(over) / pick(base) : undefined;
  };
  return {
    title: 'Ratios (register set-up, same run)',
    figures: [
      {
        label: 'end to end ÷ engine alone (same rows, same insert size), embedded, non-LLM stream: spans/s',
        value: plain?.ofEngine,
        unit: 'x',
        target: { op: '>=', value: 0.9 },
      },
      {
        label: 'end to end ÷ engine alone (same rows, same insert size), embedded, mixed stream: payload MB/s',
        value: mixed?.ofEngine,
        unit: 'x',
        target: { op: '>=', value: 0.9 },
      },
      {
        label: 'through serve (HTTP) ÷ embedded, non-LLM stream: spans/s',
        value: viaHttp('plain', (r) => r.spansPerSecond),
        unit: 'x',
        target: { op: '>=', value: 0.8 },
      },
      {
        label: 'through serve (HTTP) ÷ embedded, mixed stream: payload MB/s',
        value: viaHttp('mixed', (r) => r.megabytesPerSecond),
        unit: 'x',
        target: { op: '>=', value: 0.8 },
      },
    ],
  };
}

async function runOnce(store: Store, generated: ReturnType<typeof generateSpans>, batchSize: number): Promise<Run> {
  const spans: ReadableSpan[] = generated.map(toReadableSpan);
  const llmCalls = generated.filter((s) => s.llm).length;
  const bytes = generated.reduce((sum, s) => sum + s.bytes, 0);
  const before = await counts(store.client);
  let handOver!: () => void;
  const allHanded = new Promise<void>((resolve) => (handOver = resolve));
  let handed = 0;
  const exporter: SpanExporter = {
    export(batch, resultCallback) {
      handed += batch.length;
      store.exporter.export(batch, resultCallback);
      if (handed === spans.length) handOver();
    },
    shutdown: async () => {},
    forceFlush: () => store.exporter.forceFlush(),
  };
  // A queue that holds the whole run, drained the way a busy app's queue drains: one batch after
  // another, the next as soon as the previous export reported back. (The processor's forceFlush
  // would instead start every batch at once, a burst that no app produces.)
  const config = { maxQueueSize: spans.length, maxExportBatchSize: batchSize };
  const processor =
    batchSize === REGISTER_BATCH_SIZE ? new ClickHouseBatchSpanProcessor(exporter, config) : new BatchSpanProcessor(exporter, config);
  const started = performance.now();
  for (const span of spans) processor.onEnd(span);
  await allHanded;
  await store.exporter.forceFlush();
  const seconds = (performance.now() - started) / 1000;
  const expected = { spans: before.spans + spans.length, llm: before.llm + llmCalls };
  const after = await counts(store.client);
  if (after.spans !== expected.spans || after.llm !== expected.llm) {
    throw new Error(`rows not all stored after forceFlush: have ${JSON.stringify(after)}, expected ${JSON.stringify(expected)}`);
  }
  return { spansPerSecond: spans.length / seconds, megabytesPerSecond: bytes / MiB / seconds };
}

/** Where the ceiling rows go: the store's tables, or a Null-engine copy of otel_traces (parsing only). */
interface CeilingTables {
  spans: string;
  llm: string | undefined;
}
const STORED: CeilingTables = { spans: 'otel_traces', llm: 'llm_traces' };
const PARSED_ONLY: CeilingTables = { spans: 'otel_traces_parse_only', llm: undefined };

/**
 * The engine's share alone: rows built and serialized before the clock starts, then inserted the
 * way the writer inserts them (both tables at once, same settings), one batch after another.
 */
async function insertCeiling(
  insertRows: OpenedClient['insertRows'],
  generated: ReturnType<typeof generateSpans>,
  batchSize: number,
  tables: CeilingTables,
): Promise<Run> {
  const bodies: Array<{ otel: Buffer | undefined; llm: Buffer | undefined }> = [];
  const pieces = (serialized: { body: Buffer; rows: number }): Buffer[] =>
    splitBySize({ table: '', kind: 'spans', columns: [], ...serialized }, MAX_INSERT_BYTES).map((part) => part.body);
  for (const batch of chunk(generated.map(toReadableSpan), batchSize)) {
    const rows = toRowBatch(batch, { otel: true });
    const otel = pieces(await serializeRows(rows.otel, INSERT_COLUMNS.spans));
    const llm = rows.llm.length > 0 ? pieces(await serializeRows(rows.llm, INSERT_COLUMNS.llm_calls)) : [];
    // Inserts of at most MAX_INSERT_BYTES, as the writer cuts them: pairs of one per table at a time.
    for (let i = 0; i < Math.max(otel.length, llm.length); i++) bodies.push({ otel: otel[i], llm: llm[i] });
  }
  const signal = new AbortController().signal;
  const insert = (table: string, columns: readonly string[], body: Buffer): Promise<unknown> =>
    insertRows({ database: 'otel', table, columns }, body, signal);
  const bytes = generated.reduce((sum, s) => sum + s.bytes, 0);
  const started = performance.now();
  for (const body of bodies) {
    await Promise.all([
      body.otel && insert(tables.spans, INSERT_COLUMNS.spans, body.otel),
      body.llm && tables.llm && insert(tables.llm, INSERT_COLUMNS.llm_calls, body.llm),
    ]);
  }
  const seconds = (performance.now() - started) / 1000;
  return { spansPerSecond: generated.length / seconds, megabytesPerSecond: bytes / MiB / seconds };
}

async function counts(client: ClickHouseClient): Promise<{ spans: number; llm: number }> {
  const result = await client.query({
    query: 'SELECT (SELECT count() FROM otel.otel_traces) AS spans, (SELECT count() FROM otel.llm_traces) AS llm',
    format: 'JSONEachRow',
  });
  const [row] = await result.json<{ spans: string; llm: string }>();
  return { spans: Number(row?.spans ?? 0), llm: Number(row?.llm ?? 0) };
}

async function openEmbedded(path: string): Promise<Store> {
  const exporter = new ClickHouseTraceExporter({ path });
  await exporter.ready();
  // A second connection to the same directory (chDB shares one engine per process) counts rows.
  const opened = await openClient({ kind: 'embedded', path });
  await opened.client.command({ query: `CREATE TABLE otel.${PARSED_ONLY.spans} AS otel.otel_traces ENGINE = Null` });
  return {
    exporter,
    client: opened.client,
    ceilingInsert: opened.insertRows,
    async close() {
      await exporter.shutdown();
      await opened.close();
    },
  };
}

async function openHttp(path: string): Promise<Store> {
  const server = await startService('clickhouse-http', { path });
  const exporter = new ClickHouseTraceExporter({ endpoint: server.url });
  const client = createClient({ url: server.url });
  try {
    await exporter.ready();
  } catch (error) {
    await Promise.all([exporter.shutdown(), client.close()]);
    await server.stop();
    throw error;
  }
  return {
    exporter,
    client,
    ceilingInsert: undefined,
    async close() {
      await exporter.shutdown();
      await client.close();
      await server.stop();
    },
  };
}
