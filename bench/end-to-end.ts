/**
 * Section 2: spans handed to a BatchSpanProcessor until they are queryable, into embedded
 * ClickHouse in this process and over HTTP through the local server (`llm-traces serve`'s core)
 * running in another process, as it does in use.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { BatchSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { batchSpanProcessorConfig } from '../src/delivery/batching.js';
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
  /** Embedded only: the writer's insert settings, for inserting the same data without the exporter. */
  /** The writer's own insert path, for the engine-alone ceiling (embedded only). */
  ceilingInsert: OpenedClient['insertRows'] | undefined;
  close(): Promise<void>;
}

interface Run {
  spansPerSecond: number;
  megabytesPerSecond: number;
}

/** The SDK's default batch, and the one `llm-traces/register` sets up. */
const REGISTER_BATCH_SIZE = batchSpanProcessorConfig().maxExportBatchSize!;
const BATCH_SIZES = [BATCH_SIZE, REGISTER_BATCH_SIZE];
/** Whole batches of either size, so no span waits for the processor's 5 s timer. */
const STREAMS: ReadonlyArray<{ kind: StreamKind; quick: number; full: number }> = [
  { kind: 'plain', quick: 3 * REGISTER_BATCH_SIZE, full: 13 * REGISTER_BATCH_SIZE },
  { kind: 'mixed', quick: REGISTER_BATCH_SIZE, full: 3 * REGISTER_BATCH_SIZE },
];
const QUERYABLE_TIMEOUT_MS = 120_000;
/** Counting rows competes with the inserts: not more often than this. */
const POLL_MS = 50;

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
    let http: Table | string;
    try {
      http = await measureStore('HTTP', () => openHttp(tempDir()), options, repetitions);
    } catch (error) {
      http = error instanceof Error ? error.message : String(error);
      progress(`end-to-end over HTTP not measured: ${http}`);
    }
    const notes = [
      `Each run generates fresh spans (seeded), hands all of them to a new BatchSpanProcessor (one export at a time as the SDK does, the next as soon as the previous reports back; maxQueueSize raised to the run's size so none is dropped) and polls count() on both tables every ${POLL_MS} ms until every span and LLM call is there. Time runs from the first span handed over to the last row queryable. Median of ${repetitions} runs. Two set-ups: the SDK's default batch of ${BATCH_SIZE} spans per export, and ${REGISTER_BATCH_SIZE} per export as \`llm-traces/register\` configures it (the README recommends the same for a hand-made BatchSpanProcessor).`,
      'The exporter reports an export successful only once its rows are stored (so a forceFlush means the data is queryable), and the SDK exports one batch at a time: spans/s is batch size divided by (conversion + insert time), and the insert dominates. The ceiling rows give the engine alone.',
      'Payload MB/s counts the bytes the application handed over: span names, attribute keys and values (LLM message and payload JSON included), 1 MB = 2^20 bytes.',
      'Embedded: the exporter with `path` (chDB in the exporting process, a fresh temp directory). HTTP: the exporter with `endpoint` set to startClickHouseHttpServer in a separate process with its own fresh directory.',
      "Ceiling rows: the same spans converted and serialized before the clock starts, then inserted through a second connection to the same store with the insert settings the writer uses (both tables at once, one batch after another), at the BatchSpanProcessor's batch size and 8 times that: what the engine allows before any exporter work. The bound row inserts the same otel_traces bytes into a Null-engine table with the same columns: only chDB's parsing of the rows, a hard upper bound for any exporter writing this schema through this engine.",
    ];
    if (typeof http === 'string') notes.push(`HTTP path: n/a: ${http}`);
    return { id: 'end-to-end', tables: typeof http === 'string' ? [embedded] : [embedded, http], notes };
  } finally {
    for (const dir of dirs) removeTempDir(dir);
  }
}

async function measureStore(
  name: 'embedded' | 'HTTP',
  open: () => Promise<Store>,
  options: BenchOptions,
  repetitions: number,
): Promise<Table> {
  const store = await open();
  const figures: Figure[] = [];
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
      const label = stream.kind === 'plain' ? `non-LLM stream (${count} spans)` : `mixed stream (${count} spans, 10% LLM)`;
      const embedded = name === 'embedded';
      for (const batchSize of BATCH_SIZES) {
        const setup =
          batchSize === BATCH_SIZE
            ? `SDK default BatchSpanProcessor (${batchSize} per export)`
            : `BatchSpanProcessor as llm-traces/register sets it up (${batchSize} per export)`;
        // The targets apply to the set-up this package ships (register); the SDK default is shown beside it.
        const targeted = embedded && batchSize === REGISTER_BATCH_SIZE;
        figures.push(
          {
            label: `${label}, ${setup}: spans/s`,
            value: median(runs[batchSize]!.map((r) => r.spansPerSecond)),
            unit: 'spans/s',
            digits: 0,
            ...(targeted && stream.kind === 'plain' ? { target: { op: '>=', value: 100_000 } } : {}),
          },
          {
            label: `${label}, ${setup}: payload MB/s`,
            value: median(runs[batchSize]!.map((r) => r.megabytesPerSecond)),
            unit: 'MB/s',
            digits: 1,
            ...(targeted && stream.kind === 'mixed' ? { target: { op: '>=', value: 50 } } : {}),
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
    title: name === 'embedded' ? 'Embedded ClickHouse (chDB, in process)' : 'HTTP through the local server (separate process)',
    figures,
  };
}

async function runOnce(store: Store, generated: ReturnType<typeof generateSpans>, batchSize: number): Promise<Run> {
  const spans: ReadableSpan[] = generated.map(toReadableSpan);
  const llmCalls = generated.filter((s) => s.llm).length;
  const bytes = generated.reduce((sum, s) => sum + s.bytes, 0);
  const before = await counts(store.client);
  // A queue that holds the whole run, drained the way a busy app's queue drains: one batch after
  // another, the next as soon as the previous export reported back. (forceFlush would instead
  // start every batch at once, a burst that no app produces.)
  const processor = new BatchSpanProcessor(store.exporter, { maxQueueSize: spans.length, maxExportBatchSize: batchSize });
  const started = performance.now();
  for (const span of spans) processor.onEnd(span);
  await waitForRows(store.client, { spans: before.spans + spans.length, llm: before.llm + llmCalls });
  const seconds = (performance.now() - started) / 1000;
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
  const bodies: Array<{ otel: Buffer; llm: Buffer | undefined }> = [];
  for (const batch of chunk(generated.map(toReadableSpan), batchSize)) {
    const rows = toRowBatch(batch, { otel: true });
    bodies.push({
      otel: (await serializeRows(rows.otel, INSERT_COLUMNS.spans)).body,
      llm: rows.llm.length > 0 ? (await serializeRows(rows.llm, INSERT_COLUMNS.llm_calls)).body : undefined,
    });
  }
  const signal = new AbortController().signal;
  const insert = (table: string, columns: readonly string[], body: Buffer): Promise<unknown> =>
    insertRows({ database: 'otel', table, columns }, body, signal);
  const bytes = generated.reduce((sum, s) => sum + s.bytes, 0);
  const started = performance.now();
  for (const body of bodies) {
    await Promise.all([
      insert(tables.spans, INSERT_COLUMNS.spans, body.otel),
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

async function waitForRows(client: ClickHouseClient, expected: { spans: number; llm: number }): Promise<void> {
  const deadline = performance.now() + QUERYABLE_TIMEOUT_MS;
  for (;;) {
    const now = await counts(client);
    if (now.spans >= expected.spans && now.llm >= expected.llm) return;
    if (performance.now() > deadline) {
      throw new Error(
        `rows did not become queryable within ${QUERYABLE_TIMEOUT_MS} ms: have ${JSON.stringify(now)}, expected ${JSON.stringify(expected)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
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
