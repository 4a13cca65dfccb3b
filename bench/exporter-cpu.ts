/**
 * Section 1: CPU per span of turning spans into bytes, against the OTLP/HTTP exporters sending the
 * same spans to a loopback sink. The sink runs in another process, so only the sender is counted.
 */
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { context, ROOT_CONTEXT, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LlmContextSpanProcessor, withLlmContext } from '../src/context.js';
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

type VariantId = 'convert' | 'exporter' | 'otlpJson' | 'otlpJsonGzip' | 'otlpProto' | 'floor';
type Variant = (batches: readonly ReadableSpan[][]) => Promise<void>;

const LABELS: Record<VariantId, string> = {
  convert: 'llm-traces: toRowBatch + serializeRows (insert excluded)',
  exporter: 'llm-traces exporter → discard sink (HTTP, gzip as in server mode)',
  otlpJson: 'OTLP/HTTP JSON exporter → discard sink',
  otlpJsonGzip: "OTLP/HTTP JSON exporter, compression: 'gzip' → discard sink",
  otlpProto: 'OTLP/HTTP protobuf exporter → discard sink',
  floor: 'floor: JSON.stringify of the final rows alone',
};

export async function measureExporterCpu(options: BenchOptions): Promise<SectionResult> {
  const repetitions = sized(options, 3, 5);
  const sink = await startService('discard-sink');
  const exporters: SpanExporter[] = [
    new ClickHouseTraceExporter({ endpoint: sink.url, createSchema: false }),
    new OtlpJsonExporter({ url: `${sink.url}/v1/traces` }),
    new OtlpJsonExporter({ url: `${sink.url}/v1/traces`, compression: 'gzip' as never }),
    new OtlpProtoExporter({ url: `${sink.url}/v1/traces` }),
  ];
  const [exporter, otlpJson, otlpJsonGzip, otlpProto] = exporters as [SpanExporter, SpanExporter, SpanExporter, SpanExporter];
  try {
    const tables: Table[] = [];
    for (const [stream, count] of [
      ['mixed', sized(options, 2_000, 4_000)],
      ['plain', sized(options, 5_000, 15_000)],
    ] as const) {
      progress(`exporter CPU: ${stream} stream, ${count} spans × ${repetitions}`);
      const spans = generateSpans(count, stream, options.seed).map(toReadableSpan);
      const batches = chunk(spans, BATCH_SIZE);
      const variants = variantsFor(batches, { exporter, otlpJson, otlpJsonGzip, otlpProto });
      tables.push(toTable(stream, count, await measure(variants, batches, spans.length, repetitions)));
    }
    progress('exporter CPU: span starts through LlmContextSpanProcessor');
    tables.push(measureSpanStarts(sized(options, 20_000, 60_000), repetitions));
    return {
      id: 'exporter-cpu',
      tables,
      notes: [
        `CPU is process.cpuUsage() (user + system, all threads, so GC is included) of one process that does nothing else, per span, over batches of ${BATCH_SIZE} spans exported one after another as the BatchSpanProcessor does; ${repetitions} repetitions, variants in rotating order, garbage collected before each.`,
        'The target compares "toRowBatch + serializeRows" (rows for otel_traces and llm_traces, serialized to JSONCompactEachRow bytes; no insert) with the OTLP exporters, which also pay for their HTTP request; the full llm-traces exporter row shows the same path plus its HTTP insert (gzip body, as openClient configures server mode) to the same sink.',
        "The discard sink is a node:http server on 127.0.0.1 in a separate process; OTLP exporters use their defaults (no compression) except the one with `compression: 'gzip'`, the like-for-like comparison for the full llm-traces exporter, whose inserts to a server are gzipped.",
        'Span starts: CPU per span of starting and ending traces of one root and 9 children through a BasicTracerProvider with LlmContextSpanProcessor, minus the same provider without it; the root names agent and run ids (inherited by its children), and with an llm context every span also starts inside withLlmContext.',
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
  exporters: { exporter: SpanExporter; otlpJson: SpanExporter; otlpJsonGzip: SpanExporter; otlpProto: SpanExporter },
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
    otlpJsonGzip: (all) => exportSequentially(exporters.otlpJsonGzip, all),
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
      ratio('full llm-traces exporter (gzip) ÷ OTLP/HTTP JSON with gzip', 'exporter', 'otlpJsonGzip', { op: '<=', value: 1 }),
    ],
  };
}

const TRACE_CHILDREN = 9;

/** CPU per span that LlmContextSpanProcessor adds at span start (and end), with and without an llm context. */
function measureSpanStarts(spanCount: number, repetitions: number): Table {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const tracerOf = (processors: SpanProcessor[]) => new BasicTracerProvider({ spanProcessors: processors }).getTracer('bench');
  const bare = tracerOf([]);
  const withProcessor = tracerOf([new LlmContextSpanProcessor()]);
  const traces = Math.ceil(spanCount / (TRACE_CHILDREN + 1));
  const run = (tracer: ReturnType<typeof tracerOf>, inContext: boolean): number => {
    const startTraces = (): void => {
      for (let t = 0; t < traces; t++) {
        const root = tracer.startSpan(
          'agent.run',
          { attributes: { 'llm_traces.agent_id': 'agent-7', 'llm_traces.run_id': `run-${t}` } },
          ROOT_CONTEXT,
        );
        const parent: Context = trace.setSpan(context.active(), root);
        for (let c = 0; c < TRACE_CHILDREN; c++) {
          tracer.startSpan('db.query', { attributes: { 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT' } }, parent).end();
        }
        root.end();
      }
    };
    collectGarbage();
    const before = processCpuMicros();
    if (inContext) withLlmContext({ organizationId: 'org-1', projectId: 'project-2', tags: ['bench'] }, startTraces);
    else startTraces();
    return (processCpuMicros() - before) / (traces * (TRACE_CHILDREN + 1));
  };
  for (const inContext of [false, true]) for (const tracer of [bare, withProcessor]) run(tracer, inContext); // warm-up
  const extra = { plain: [] as number[], context: [] as number[], bare: [] as number[] };
  for (let r = 0; r < repetitions; r++) {
    const base = run(bare, false);
    extra.bare.push(base);
    extra.plain.push(run(withProcessor, false) - base);
    extra.context.push(run(withProcessor, true) - run(bare, true));
  }
  const figure = (label: string, values: number[]): Figure => ({ label, value: median(values), unit: 'µs/span', digits: 2 });
  return {
    title: `Span start (${traces * (TRACE_CHILDREN + 1)} spans, traces of 1 + ${TRACE_CHILDREN})`,
    figures: [
      figure('start + end without the processor', extra.bare),
      figure('LlmContextSpanProcessor added, no llm context', extra.plain),
      figure('LlmContextSpanProcessor added, inside withLlmContext', extra.context),
    ],
  };
}
