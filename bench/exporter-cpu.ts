/**
 * Section 1: CPU per span of turning spans into bytes, against the OTLP/HTTP exporters sending the
 * same spans to a loopback sink. The sink runs in another process, so only the sender is counted.
 */
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { INSERT_COLUMNS, serializeRows } from '../src/delivery/serialize.js';
import { ClickHouseTraceExporter } from '../src/exporter.js';
import { createPricer } from '../src/pricing/index.js';
import { toRowBatch } from '../src/pipeline/convert.js';
import { BATCH_SIZE, chunk, exportSequentially } from './exporting.js';
import { progress, sized, type BenchOptions } from './options.js';
import { startService } from './processes.js';
import type { Figure, SectionResult, Table } from './report.js';
import { generateSpans, toReadableSpan, type StreamKind } from './spans.js';
import { collectGarbage, median, processCpuMicros } from './stats.js';

type VariantId = 'convert' | 'exporter' | 'otlpJson' | 'otlpProto' | 'floor';
type Variant = (batches: readonly ReadableSpan[][]) => Promise<void>;

const LABELS: Record<VariantId, string> = {
  convert: 'llm-traces: toRowBatch + serializeRows (insert excluded)',
  exporter: 'llm-traces exporter → discard sink (HTTP, gzip as in server mode)',
  otlpJson: 'OTLP/HTTP JSON exporter → discard sink',
  otlpProto: 'OTLP/HTTP protobuf exporter → discard sink',
  floor: 'floor: JSON.stringify of the final rows alone',
};

export async function measureExporterCpu(options: BenchOptions): Promise<SectionResult> {
  const repetitions = sized(options, 3, 5);
  const sink = await startService('discard-sink');
  const exporters: SpanExporter[] = [
    new ClickHouseTraceExporter({ endpoint: sink.url, createSchema: false }),
    new OtlpJsonExporter({ url: `${sink.url}/v1/traces` }),
    new OtlpProtoExporter({ url: `${sink.url}/v1/traces` }),
  ];
  const [exporter, otlpJson, otlpProto] = exporters as [SpanExporter, SpanExporter, SpanExporter];
  try {
    const tables: Table[] = [];
    for (const [stream, count] of [
      ['mixed', sized(options, 2_000, 4_000)],
      ['plain', sized(options, 5_000, 15_000)],
    ] as const) {
      progress(`exporter CPU: ${stream} stream, ${count} spans × ${repetitions}`);
      const spans = generateSpans(count, stream, options.seed).map(toReadableSpan);
      const batches = chunk(spans, BATCH_SIZE);
      const variants = variantsFor(batches, { exporter, otlpJson, otlpProto });
      tables.push(toTable(stream, count, await measure(variants, batches, spans.length, repetitions)));
    }
    return {
      id: 'exporter-cpu',
      tables,
      notes: [
        `CPU is process.cpuUsage() (user + system, all threads, so GC is included) of one process that does nothing else, per span, over batches of ${BATCH_SIZE} spans exported one after another as the BatchSpanProcessor does; ${repetitions} repetitions, variants in rotating order, garbage collected before each.`,
        'The target compares "toRowBatch + serializeRows" (rows for otel_traces and llm_traces, serialized to JSONCompactEachRow bytes; no insert) with the OTLP exporters, which also pay for their HTTP request; the full llm-traces exporter row shows the same path plus its HTTP insert (gzip body, as openClient configures server mode) to the same sink.',
        'The discard sink is a node:http server on 127.0.0.1 in a separate process; OTLP exporters use their defaults (no compression).',
        'The floor is JSON.stringify of each final row as it is inserted (the array of its values in column order, built before the clock starts), i.e. the serialization that cannot be avoided.',
      ],
    };
  } finally {
    await Promise.all(exporters.map((e) => e.shutdown().catch(() => {})));
    await sink.stop();
  }
}

function variantsFor(
  batches: readonly ReadableSpan[][],
  exporters: { exporter: SpanExporter; otlpJson: SpanExporter; otlpProto: SpanExporter },
): Record<VariantId, Variant> {
  const pricer = createPricer();
  // The rows as inserted: each row's values in column order (JSONCompactEachRow).
  const asInserted = (rows: readonly object[], columns: readonly string[]) =>
    rows.map((row) => columns.map((column) => (row as Record<string, unknown>)[column]));
  const finalRows = batches.flatMap((batch) => {
    const rows = toRowBatch(batch, { otel: true, pricer });
    return [...asInserted(rows.otel, INSERT_COLUMNS.spans), ...asInserted(rows.llm, INSERT_COLUMNS.llm_calls)];
  });
  return {
    convert: async (all) => {
      for (const batch of all) {
        const rows = toRowBatch(batch, { otel: true, pricer });
        await serializeRows(rows.otel, INSERT_COLUMNS.spans);
        if (rows.llm.length > 0) await serializeRows(rows.llm, INSERT_COLUMNS.llm_calls);
      }
    },
    exporter: (all) => exportSequentially(exporters.exporter, all),
    otlpJson: (all) => exportSequentially(exporters.otlpJson, all),
    otlpProto: (all) => exportSequentially(exporters.otlpProto, all),
    floor: async () => {
      for (const row of finalRows) JSON.stringify(row);
    },
  };
}

/** Microseconds of CPU per span of every variant, one record per repetition. */
async function measure(
  variants: Record<VariantId, Variant>,
  batches: readonly ReadableSpan[][],
  spanCount: number,
  repetitions: number,
): Promise<Record<VariantId, number>[]> {
  const ids = Object.keys(variants) as VariantId[];
  for (const id of ids) await variants[id](batches); // warm-up: JIT, connections
  const records: Record<VariantId, number>[] = [];
  for (let r = 0; r < repetitions; r++) {
    const record = {} as Record<VariantId, number>;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[(i + r) % ids.length]!;
      collectGarbage();
      const before = processCpuMicros();
      await variants[id](batches);
      record[id] = (processCpuMicros() - before) / spanCount;
    }
    records.push(record);
  }
  return records;
}

function toTable(stream: StreamKind, count: number, records: Record<VariantId, number>[]): Table {
  const perSpan = (id: VariantId): Figure => ({ label: LABELS[id], value: median(records.map((r) => r[id])), unit: 'µs/span', digits: 1 });
  const ratio = (label: string, a: VariantId, b: VariantId, target?: Figure['target']): Figure => ({
    label,
    value: median(records.map((r) => r[a] / r[b])),
    unit: 'x',
    ...(target ? { target } : {}),
  });
  return {
    title: stream === 'mixed' ? `Mixed stream (${count} spans, 10% LLM)` : `Non-LLM stream (${count} spans)`,
    figures: [
      ...(Object.keys(LABELS) as VariantId[]).map(perSpan),
      ratio('toRowBatch + serializeRows ÷ OTLP/HTTP JSON', 'convert', 'otlpJson', { op: '<=', value: 1 }),
      ratio('toRowBatch + serializeRows ÷ JSON.stringify floor', 'convert', 'floor', { op: '<=', value: 2 }),
      ratio('toRowBatch + serializeRows ÷ OTLP/HTTP protobuf', 'convert', 'otlpProto'),
      ratio('full llm-traces exporter ÷ OTLP/HTTP JSON', 'exporter', 'otlpJson'),
    ],
  };
}
