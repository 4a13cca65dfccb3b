/**
 * Section 5: bytes on disk per span in both tables and how well the payload columns compress, on
 * the generated payloads, after the exporter wrote them and the parts were merged.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { openClient } from '../src/store/connection.js';
import { ClickHouseTraceExporter } from '../src/exporter.js';
import { BATCH_SIZE, chunk, exportSequentially } from './exporting.js';
import { progress, sized, type BenchOptions } from './options.js';
import type { Figure, SectionResult } from './report.js';
import { generateSpans, summarize, toReadableSpan, type StreamKind } from './spans.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

const PAYLOAD_COLUMNS = ['request_json', 'response_json', 'llm_config_json'];

interface PartTotals {
  table: string;
  rows: string;
  bytes_on_disk: string;
}

interface ColumnSizes {
  table: string;
  name: string;
  compressed: string;
  uncompressed: string;
}

export async function measureStorage(options: BenchOptions): Promise<SectionResult> {
  const path = makeTempDir('storage');
  // Measured through a second connection to the same directory (chDB shares one engine per process).
  const opened = await openClient({ kind: 'embedded', path });
  try {
    const streams: Array<{ kind: StreamKind; database: string; count: number }> = [
      { kind: 'mixed', database: 'bench_mixed', count: sized(options, 5_000, 20_000) },
      { kind: 'plain', database: 'bench_plain', count: sized(options, 10_000, 50_000) },
    ];
    const figures: Figure[] = [];
    let mixedSummary: ReturnType<typeof summarize> | undefined;
    for (const stream of streams) {
      progress(`storage: ${stream.kind} stream, ${stream.count} spans`);
      const spans = generateSpans(stream.count, stream.kind, options.seed + 7);
      if (stream.kind === 'mixed') mixedSummary = summarize(spans);
      const exporter = new ClickHouseTraceExporter({ path, database: stream.database });
      await exporter.ready();
      await exportSequentially(exporter, chunk(spans.map(toReadableSpan), BATCH_SIZE));
      await exporter.shutdown();
      figures.push(...(await measureDatabase(opened.client, stream.database, stream.kind)));
    }
    const p = mixedSummary!.payloadBytes;
    return {
      id: 'storage',
      tables: [{ title: 'Bytes on disk and compression', figures }],
      notes: [
        `Spans written by the exporter (batches of ${BATCH_SIZE}) into a fresh embedded store, one database per stream, then OPTIMIZE TABLE ... FINAL so each table is one merged part as it is after background merges (with min_bytes_for_wide_part = 0, so the part is Wide as production-sized parts are and system.columns has per-column sizes). Bytes on disk from system.parts (active parts), compression from system.columns.`,
        `LLM payloads of the mixed stream (${mixedSummary!.llmSpans} calls): median ${kib(p.median)}, p90 ${kib(p.p90)}, max ${kib(p.max)}, mean ${kib(p.mean)} per call (messages, system prompt, tool definitions or raw request/response JSON).`,
        "A GenAI call's messages are stored twice: as span attributes in otel_traces (SpanAttributes) and as the neutral request/response JSON in llm_traces.",
      ],
    };
  } finally {
    await opened.close();
    removeTempDir(path);
  }
}

async function measureDatabase(client: ClickHouseClient, database: string, kind: StreamKind): Promise<Figure[]> {
  for (const table of ['otel_traces', 'llm_traces']) {
    // Small parts are Compact (one file, no per-column sizes); production-sized parts are Wide.
    await client.command({ query: `ALTER TABLE ${database}.${table} MODIFY SETTING min_bytes_for_wide_part = 0` });
    await client.command({ query: `OPTIMIZE TABLE ${database}.${table} FINAL` });
  }
  const parts = await rows<PartTotals>(
    client,
    'SELECT table, toString(sum(rows)) AS rows, toString(sum(bytes_on_disk)) AS bytes_on_disk FROM system.parts ' +
      "WHERE active AND database = {database:String} AND table IN ('otel_traces', 'llm_traces') GROUP BY table",
    { database },
  );
  const columns = await rows<ColumnSizes>(
    client,
    'SELECT table, name, toString(data_compressed_bytes) AS compressed, toString(data_uncompressed_bytes) AS uncompressed FROM system.columns ' +
      "WHERE database = {database:String} AND ((table = 'llm_traces' AND name IN {payload:Array(String)}) OR (table = 'otel_traces' AND name = 'SpanAttributes'))",
    { database, payload: PAYLOAD_COLUMNS },
  );
  const streamLabel = kind === 'mixed' ? 'mixed stream' : 'non-LLM stream';
  const figures: Figure[] = [];
  for (const table of ['otel_traces', 'llm_traces']) {
    const part = parts.find((p) => p.table === table);
    if (!part || part.rows === '0') continue;
    figures.push({
      label: `${streamLabel}: ${table} bytes on disk per row (${part.rows} rows)`,
      value: Number(part.bytes_on_disk) / Number(part.rows),
      unit: 'B/row',
      digits: 0,
    });
  }
  const ratio = (selected: ColumnSizes[]): number => sum(selected, 'uncompressed') / sum(selected, 'compressed');
  const payload = columns.filter((c) => c.table === 'llm_traces' && PAYLOAD_COLUMNS.includes(c.name) && c.compressed !== '0');
  if (payload.length > 0) {
    for (const column of payload)
      figures.push({ label: `${streamLabel}: llm_traces.${column.name} compression`, value: ratio([column]), unit: 'x', digits: 1 });
    figures.push({
      label: `${streamLabel}: payload columns together compression`,
      value: ratio(payload),
      unit: 'x',
      digits: 1,
      target: { op: '>=', value: 10 },
    });
  }
  const attributes = columns.filter((c) => c.table === 'otel_traces');
  if (attributes.length > 0)
    figures.push({ label: `${streamLabel}: otel_traces.SpanAttributes compression`, value: ratio(attributes), unit: 'x', digits: 1 });
  return figures;
}

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown>): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

function sum(columns: ColumnSizes[], field: 'compressed' | 'uncompressed'): number {
  return columns.reduce((total, c) => total + Number(c[field]), 0);
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KiB`;
}
