/**
 * Load: a steady span rate through a real tracer and a BatchSpanProcessor into
 * `llm-traces serve` for a fixed time. Nothing may be lost and memory must stay bounded; the
 * figures are printed as markdown (and written to $LLM_TRACES_LOAD_FIGURES) for BENCHMARKS.md.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { SpanKind, context, trace } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { ServedStore, llmAttributes, storedCounts, totalDropped, within, report } from './harness.js';

const RATE = 2_000;
const SECONDS = 10;
/** One span in ten is an LLM call. */
const TRACE_SPANS = 10;
const PAYLOAD_BYTES = 3_000;
/**
 * The processor exports one batch at a time and the exporter answers once the batch is stored, so
 * the processor's queue must hold the spans that end during the slowest insert. The default 2,048
 * is one second of this rate; inserts into serve on two busy cores took up to 0.9 s, and the
 * default queue then dropped 1-10% of the spans before they reached the exporter.
 */
const MAX_QUEUE_SIZE = 16_384;

/** Counts the spans handed to the exporter and times each export (call to result). */
class TimingExporter implements SpanExporter {
  handed = 0;
  readonly latenciesMs: number[] = [];

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.handed += spans.length;
    const started = performance.now();
    this.inner.export(spans, (result) => {
      this.latenciesMs.push(performance.now() - started);
      resultCallback(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/** Samples the RSS of this process and of the server process every 100 ms. */
class RssSampler {
  readonly own: Array<{ atMs: number; rss: number }> = [];
  readonly server: number[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(serverPid: number | undefined, started: number) {
    this.timer = setInterval(() => {
      this.own.push({ atMs: Date.now() - started, rss: process.memoryUsage.rss() });
      const serverRss = serverPid === undefined ? undefined : processRss(serverPid);
      if (serverRss !== undefined) this.server.push(serverRss);
    }, 100);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** VmRSS of a process from /proc (Linux), in bytes. */
function processRss(pid: number): number | undefined {
  try {
    const kib = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kib === undefined ? undefined : Number(kib) * 1024;
  } catch {
    return undefined;
  }
}

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const MiB = 1024 * 1024;
const mib = (bytes: number): string => (bytes / MiB).toFixed(0);

describe('load: a steady span rate into llm-traces serve', () => {
  let store: ServedStore;

  beforeAll(async () => {
    store = await ServedStore.create();
    await store.start();
  });
  afterAll(async () => {
    await store?.dispose();
  });

  it(`stores every span of ${RATE} spans/s for ${SECONDS} s (10% LLM calls with ~${PAYLOAD_BYTES / 1000} KB payloads) with bounded memory`, async () => {
    const exporter = new ClickHouseTraceExporter({ endpoint: store.url });
    await exporter.ready();
    const timing = new TimingExporter(exporter);
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'load' }),
      spanProcessors: [new BatchSpanProcessor(timing, { maxQueueSize: MAX_QUEUE_SIZE })],
    });
    const tracer = provider.getTracer('faults-load');
    let emitted = 0;
    let emittedLlm = 0;
    /** Ends one span; every TRACE_SPANS-th starts a trace, the rest are its children, one of them an LLM call. */
    let parent = context.active();
    const emit = (): void => {
      const position = emitted % TRACE_SPANS;
      if (position === 0) {
        const root = tracer.startSpan('POST /v1/agents/:agentId/messages', {
          kind: SpanKind.SERVER,
          attributes: { 'http.request.method': 'POST', 'http.response.status_code': 200 },
        });
        parent = trace.setSpan(context.active(), root);
        root.end();
      } else {
        const llm = position === TRACE_SPANS / 2;
        tracer
          .startSpan(
            llm ? 'chat gpt-4.1-mini' : 'SELECT messages',
            {
              kind: SpanKind.CLIENT,
              attributes: llm
                ? llmAttributes(emitted, PAYLOAD_BYTES)
                : { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT * FROM messages WHERE agent_id = $1' },
            },
            parent,
          )
          .end();
        if (llm) emittedLlm++;
      }
      emitted++;
    };

    const cpuBefore = process.cpuUsage();
    const rssBefore = process.memoryUsage.rss();
    const started = Date.now();
    const sampler = new RssSampler(store.pid, started);
    // Emit what is due every 10 ms, so the average rate is RATE however the timer drifts.
    await new Promise<void>((resolve) => {
      const ticker = setInterval(() => {
        const elapsed = Date.now() - started;
        const due = Math.min(RATE * SECONDS, Math.floor((RATE * elapsed) / 1000));
        while (emitted < due) emit();
        if (elapsed >= SECONDS * 1000) {
          clearInterval(ticker);
          resolve();
        }
      }, 10);
    });
    const emitEnded = Date.now();
    // The processor's flush rejects when an export reports FAILED; the exporter's waits for everything.
    const processorFlush = await provider.forceFlush().then(
      () => 'ok',
      (error: unknown) => String(error),
    );
    await within(60_000, 'flushing the exporter', exporter.forceFlush()).catch((error: unknown) => {
      throw new Error(
        `${String(error)}; server exited: ${store.exited() ?? 'no'}; stats: ${JSON.stringify(exporter.stats())}\n${store.output()}`,
      );
    });
    const flushed = Date.now();
    sampler.stop();
    const cpu = process.cpuUsage(cpuBefore);
    const stats = exporter.stats()!;
    const stored = await storedCounts(store.url, 'load');
    await provider.shutdown();

    const ownPeak = Math.max(...sampler.own.map((s) => s.rss));
    const secondHalf = sampler.own.filter((s) => s.atMs >= (SECONDS * 1000) / 2 && s.atMs <= SECONDS * 1000).map((s) => s.rss);
    const firstHalf = sampler.own.filter((s) => s.atMs >= 1_000 && s.atMs < (SECONDS * 1000) / 2).map((s) => s.rss);
    const figures = {
      offeredSpansPerSecond: Math.round(emitted / ((emitEnded - started) / 1000)),
      storedSpansPerSecond: Math.round(stored.distinctSpans / ((flushed - started) / 1000)),
      flushAfterLastSpanMs: flushed - emitEnded,
      exports: timing.latenciesMs.length,
      spansPerExport: Math.round(timing.handed / Math.max(1, timing.latenciesMs.length)),
      latencyP50Ms: quantile(timing.latenciesMs, 0.5),
      latencyP99Ms: quantile(timing.latenciesMs, 0.99),
      latencyMaxMs: Math.max(...timing.latenciesMs),
      cpuPercentOfOneCore: Math.round(((cpu.user + cpu.system) / 1000 / (flushed - started)) * 100),
      rssBefore,
      ownPeak,
      ownSteady: quantile(secondHalf, 0.5),
      ownFirstHalfMedian: quantile(firstHalf, 0.5),
      serverPeak: Math.max(0, ...sampler.server),
      serverSteady: quantile(sampler.server.slice(Math.floor(sampler.server.length / 2)), 0.5),
    };
    const markdown = [
      `### Load: ${RATE.toLocaleString('en-US')} spans/s for ${SECONDS} s into \`llm-traces serve\``,
      '',
      `Spans from a real tracer through a \`BatchSpanProcessor\` (512 spans per export, maxQueueSize ${MAX_QUEUE_SIZE.toLocaleString('en-US')}) and \`ClickHouseTraceExporter\` over HTTP to \`llm-traces serve\` on the same machine (2 shared cores); every ${TRACE_SPANS}th span is an OpenAI chat call with ~${PAYLOAD_BYTES.toLocaleString('en-US')} B input and ~256 B output messages. Source: \`test/integration/faults/load.test.ts\`.`,
      '',
      '| figure | value |',
      '| --- | --- |',
      `| spans ended / handed to the exporter / stored (distinct) | ${emitted.toLocaleString('en-US')} / ${timing.handed.toLocaleString('en-US')} / ${stored.distinctSpans.toLocaleString('en-US')} |`,
      `| LLM calls ended / stored in llm_traces | ${emittedLlm.toLocaleString('en-US')} / ${stored.distinctLlmCalls.toLocaleString('en-US')} |`,
      `| rows dropped / insert retries / exports with rows given up on (failedExports) | ${totalDropped(stats)} / ${stats.retries} / ${stats.failedExports} |`,
      `| offered rate | ${figures.offeredSpansPerSecond.toLocaleString('en-US')} spans/s |`,
      `| stored rate (first span to everything stored) | ${figures.storedSpansPerSecond.toLocaleString('en-US')} spans/s |`,
      `| flush after the last span | ${figures.flushAfterLastSpanMs} ms |`,
      `| exports (spans per export) | ${figures.exports} (${figures.spansPerExport}) |`,
      `| export latency p50 / p99 / max | ${figures.latencyP50Ms.toFixed(0)} / ${figures.latencyP99Ms.toFixed(0)} / ${figures.latencyMaxMs.toFixed(0)} ms |`,
      `| exporting process CPU (tracer + processor + exporter + test) | ${figures.cpuPercentOfOneCore}% of one core |`,
      `| exporting process RSS: before / steady (median, 2nd half) / peak | ${mib(figures.rssBefore)} / ${mib(figures.ownSteady)} / ${mib(figures.ownPeak)} MiB |`,
      `| server process RSS: steady / peak | ${mib(figures.serverSteady)} / ${mib(figures.serverPeak)} MiB |`,
      '',
    ].join('\n');
    report(markdown);
    if (processorFlush !== 'ok' || store.exited() !== undefined)
      report(`processor flush: ${processorFlush}; server exited: ${store.exited() ?? 'no'}\n${store.output()}`);
    // Written only on request (LLM_TRACES_LOAD_FIGURES=<file>), so a test run leaves the tree clean.
    if (process.env.LLM_TRACES_LOAD_FIGURES) writeFileSync(process.env.LLM_TRACES_LOAD_FIGURES, markdown);

    // No loss: everything ended was handed over (the processor dropped nothing) and stored once.
    expect(timing.handed).toBe(emitted);
    expect(totalDropped(stats)).toBe(0);
    expect(stored).toEqual({ spans: emitted, distinctSpans: emitted, llmCalls: emittedLlm, distinctLlmCalls: emittedLlm });
    expect(stats).toMatchObject({ exportedSpans: emitted, exportedLlmCalls: emittedLlm, bufferedRows: 0 });
    // Bounded memory: no growth from the first half of the run to the second beyond noise, and a sane peak.
    expect(figures.ownSteady - figures.ownFirstHalfMedian).toBeLessThan(64 * MiB);
    expect(figures.ownPeak).toBeLessThan(figures.rssBefore + 256 * MiB);
  });
});
