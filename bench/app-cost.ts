/**
 * Sections 3 and 4: what exporting costs the application. A child process ends spans through a
 * real tracer at a steady rate for a fixed time, once with no exporter, once with llm-traces
 * (embedded, the local default) and once with the OTLP/HTTP JSON exporter (to a loopback sink),
 * and records event-loop delay, CPU and memory. Each sample is its own process, so memory and
 * chDB state never carry over; configurations alternate within each repetition.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { batchSpanProcessorConfig, ClickHouseBatchSpanProcessor } from '../src/delivery/batching.js';
import { ClickHouseTraceExporter } from '../src/exporter.js';
import { CountingExporter } from './exporting.js';
import { progress, sized, type BenchOptions } from './options.js';
import { childOptions, runTask, startService } from './processes.js';
import type { Figure, SectionResult, Table } from './report.js';
import { benchResource, emitSpan, generateSpans, type StreamKind } from './spans.js';
import { MiB, mainThreadCpuMicros, median, processCpuMicros, quantile } from './stats.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

type Config = 'none' | 'llm-traces' | 'llm-traces-register' | 'otlp-json';

interface SampleArgs {
  config: Config;
  stream: StreamKind;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  seed: number;
  sinkUrl: string;
}

interface Sample {
  loopDelayP50Ms: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  /** Percent of one core. */
  mainThreadCpu: number | undefined;
  processCpu: number;
  rssPeakMiB: number;
  rssSteadyMiB: number;
  heapSteadyMiB: number;
  emitted: number;
  /** Share of the ended spans that the span processor handed to the exporter (the rest it dropped). */
  handedShare: number;
  /** llm-traces only: share of the ended spans stored in ClickHouse by the end of shutdown. */
  storedShare: number | undefined;
  /** llm-traces only: the most the delivery buffer held (accepted, not yet stored) during the window. */
  bufferPeakMiB: number | undefined;
}

const RATE = 10_000;
const CONFIGS: readonly Config[] = ['none', 'llm-traces', 'llm-traces-register', 'otlp-json'];
const STREAMS: readonly StreamKind[] = ['plain', 'mixed'];
const REGISTER_BATCHING = batchSpanProcessorConfig();
const CONFIG_LABELS: Record<Config, string> = {
  none: 'no exporter',
  'llm-traces': 'llm-traces (embedded), SDK default batching',
  'llm-traces-register': `llm-traces (embedded), ClickHouseBatchSpanProcessor as llm-traces/register sets it up (${REGISTER_BATCHING.maxExportBatchSize} / ${REGISTER_BATCHING.maxQueueSize})`,
  'otlp-json': 'OTLP/HTTP JSON → sink',
};
/** The target applies to the set-up this package ships and documents; the SDK default is shown beside it. */
const TARGETED: Config = 'llm-traces-register';
/** Spans cycled through by the emitter: generated before the clock starts. */
const POOL_SIZE = 5_000;
const SHUTDOWN_LIMIT_MS = 60_000;

export async function measureAppCost(options: BenchOptions): Promise<SectionResult> {
  const repetitions = sized(options, 1, 3);
  const seconds = sized(options, 1.5, 6);
  const warmupSeconds = sized(options, 0.5, 1);
  const sink = await startService('discard-sink');
  const samples = new Map<string, Sample[]>();
  try {
    for (let r = 0; r < repetitions; r++) {
      for (const stream of STREAMS) {
        for (let i = 0; i < CONFIGS.length; i++) {
          const config = CONFIGS[(i + r) % CONFIGS.length]!;
          progress(`app cost: repetition ${r + 1}/${repetitions}, ${stream} stream, ${config}`);
          const args: SampleArgs = { config, stream, rate: RATE, seconds, warmupSeconds, seed: options.seed, sinkUrl: sink.url };
          const sample = await runTask<Sample>('app-cost-sample', args, childOptions(options));
          samples.set(`${stream}/${config}`, [...(samples.get(`${stream}/${config}`) ?? []), sample]);
        }
      }
    }
  } finally {
    await sink.stop();
  }
  return {
    id: 'app-cost',
    tables: STREAMS.flatMap((stream) => tablesFor(stream, (config) => samples.get(`${stream}/${config}`)!)),
    notes: [
      `${RATE.toLocaleString('en-US')} spans/s started and ended through BasicTracerProvider + BatchSpanProcessor (SDK defaults: queue 2048, batches of 512, 5 s delay; for the register set-up, batchSpanProcessorConfig(): queue ${REGISTER_BATCHING.maxQueueSize}, batches of ${REGISTER_BATCHING.maxExportBatchSize}) for ${seconds} s after a ${warmupSeconds} s warm-up, from a pool of ${POOL_SIZE} pre-generated spans; ${repetitions} repetition(s), each configuration in a fresh process, configurations alternating.`,
      'Event-loop delay: perf_hooks.monitorEventLoopDelay (resolution 1 ms) over the measured window. "Extra" figures subtract the no-exporter sample of the same repetition.',
      "Main-thread CPU is read from /proc/self/task/<pid>/stat (10 ms ticks); process CPU (process.cpuUsage) also counts GC helpers, libuv and, for llm-traces embedded, chDB's own threads. 100% = one core.",
      'RSS is sampled every 100 ms during the window: peak is the largest sample, steady the median. llm-traces embedded includes chDB in the same process.',
      'Delivered: share of the ended spans the BatchSpanProcessor handed to the exporter (it drops spans when its queue is full); for llm-traces, also the share stored in ClickHouse by the end of shutdown.',
      "Delivery buffer peak: the most bytes the exporter's bounded delivery buffer held (rows accepted by an export, not yet stored) in the window, sampled with RSS.",
      "Extra event-loop p99 ÷ OTLP: the register set-up's extra p99 divided by the OTLP/HTTP JSON exporter's extra p99, each against the no-exporter sample of the same repetition (median over repetitions).",
    ],
  };
}

function tablesFor(stream: StreamKind, samplesOf: (config: Config) => Sample[]): Table[] {
  const streamLabel = stream === 'plain' ? 'non-LLM stream' : 'mixed stream (10% LLM)';
  const base = samplesOf('none');
  const extra = (samples: Sample[], pick: (s: Sample) => number | undefined): number | undefined => {
    const deltas = samples.flatMap((s, i) => {
      const a = pick(s);
      const b = pick(base[i]!);
      return a === undefined || b === undefined ? [] : [a - b];
    });
    return deltas.length === 0 ? undefined : median(deltas);
  };
  const med = (samples: Sample[], pick: (s: Sample) => number | undefined): number | undefined => {
    const values = samples.map(pick).filter((v): v is number => v !== undefined);
    return values.length === 0 ? undefined : median(values);
  };
  const cost: Figure[] = [];
  const memory: Figure[] = [];
  const p99Extra = (config: Config, i: number): number => samplesOf(config)[i]!.loopDelayP99Ms - base[i]!.loopDelayP99Ms;
  const p99Ratios = base.map((_, i) => p99Extra(TARGETED, i) / p99Extra('otlp-json', i)).filter((r) => Number.isFinite(r) && r >= 0);
  for (const config of CONFIGS) {
    const s = samplesOf(config);
    const label = CONFIG_LABELS[config];
    cost.push(
      {
        label: `${label}: event-loop delay p50 / p99 / max`,
        value: med(s, (x) => x.loopDelayP99Ms),
        unit: 'ms p99',
        note: `p50 ${med(s, (x) => x.loopDelayP50Ms)!.toFixed(2)} ms, max ${med(s, (x) => x.loopDelayMaxMs)!.toFixed(1)} ms`,
      },
      { label: `${label}: main-thread CPU`, value: med(s, (x) => x.mainThreadCpu), unit: '% of a core', digits: 0 },
      { label: `${label}: process CPU`, value: med(s, (x) => x.processCpu), unit: '% of a core', digits: 0 },
    );
    if (config !== 'none') {
      cost.push(
        {
          label: `${label}: extra event-loop delay p99`,
          value: extra(s, (x) => x.loopDelayP99Ms),
          unit: 'ms',
          ...(config === TARGETED ? { target: { op: '<', value: 5 } } : {}),
        },
        ...(config === TARGETED
          ? [
              {
                label: `${label}: extra event-loop delay p99 ÷ the OTLP/HTTP JSON exporter's, same repetition`,
                value: p99Ratios.length === 0 ? undefined : median(p99Ratios),
                unit: 'x',
                target: { op: '<=', value: 0.6 },
                ...(p99Ratios.length === 0 ? { note: 'the OTLP exporter added no p99 delay in any repetition' } : {}),
              } satisfies Figure,
            ]
          : []),
        { label: `${label}: extra main-thread CPU`, value: extra(s, (x) => x.mainThreadCpu), unit: '% of a core', digits: 0 },
        {
          label: `${label}: delivered`,
          value: med(s, (x) => x.handedShare * 100),
          unit: '% handed to the exporter',
          digits: 1,
          ...storedNote(s),
        },
      );
    }
    memory.push(
      { label: `${label}: peak RSS`, value: med(s, (x) => x.rssPeakMiB), unit: 'MiB', digits: 0 },
      { label: `${label}: steady RSS`, value: med(s, (x) => x.rssSteadyMiB), unit: 'MiB', digits: 0 },
      { label: `${label}: steady JS heap used`, value: med(s, (x) => x.heapSteadyMiB), unit: 'MiB', digits: 0 },
    );
    if (config !== 'none')
      memory.push({
        label: `${label}: extra steady RSS`,
        value: extra(s, (x) => x.rssSteadyMiB),
        unit: 'MiB',
        digits: 0,
        ...(config === TARGETED && stream === 'mixed' ? { target: { op: '<=', value: 400 } } : {}),
      });
    if (config === 'llm-traces' || config === 'llm-traces-register')
      memory.push({ label: `${label}: delivery buffer peak`, value: med(s, (x) => x.bufferPeakMiB), unit: 'MiB', digits: 1 });
  }
  return [
    { title: `App-side cost, ${streamLabel}, ${RATE.toLocaleString('en-US')} spans/s`, figures: cost },
    { title: `Memory, ${streamLabel}, ${RATE.toLocaleString('en-US')} spans/s`, figures: memory },
  ];
}

function storedNote(samples: Sample[]): Pick<Figure, 'note'> {
  const stored = samples.map((s) => s.storedShare).filter((v): v is number => v !== undefined);
  return stored.length === 0 ? {} : { note: `${(median(stored) * 100).toFixed(1)}% stored` };
}

/** One sample, in its own process. */
export async function runAppCostSample(args: SampleArgs): Promise<Sample> {
  const pool = generateSpans(POOL_SIZE, args.stream, args.seed);
  const dir = args.config === 'llm-traces' || args.config === 'llm-traces-register' ? makeTempDir('app') : undefined;
  const exporter = await exporterFor(args.config, args.sinkUrl, dir);
  const counting = exporter && new CountingExporter(exporter);
  const processor = !counting
    ? undefined
    : args.config === 'llm-traces-register'
      ? new ClickHouseBatchSpanProcessor(counting)
      : new BatchSpanProcessor(counting);
  const provider = new BasicTracerProvider({ resource: benchResource, spanProcessors: processor ? [processor] : [] });
  const tracer = provider.getTracer('llm-traces-bench');
  try {
    const emitter = steadyEmitter(args.rate, (i) => emitSpan(tracer, pool[i % pool.length]!));
    await sleep(args.warmupSeconds * 1000);
    const window = await measureWindow(
      args.seconds * 1000,
      exporter instanceof ClickHouseTraceExporter ? () => exporter.stats().bufferedBytes : undefined,
    );
    const emitted = emitter.stop();
    await withinLimit(provider.shutdown(), SHUTDOWN_LIMIT_MS);
    const stats = exporter instanceof ClickHouseTraceExporter ? exporter.stats() : undefined;
    return {
      ...window,
      emitted,
      handedShare: counting ? counting.handed / emitted : 1,
      storedShare: stats ? stats.exportedSpans / emitted : undefined,
    };
  } finally {
    if (dir) removeTempDir(dir);
  }
}

async function exporterFor(config: Config, sinkUrl: string, dir: string | undefined): Promise<SpanExporter | undefined> {
  if (config === 'none') return undefined;
  if (config === 'otlp-json') return new OTLPTraceExporter({ url: `${sinkUrl}/v1/traces` });
  const exporter = new ClickHouseTraceExporter({ path: dir });
  await exporter.ready();
  return exporter;
}

/** Ends `rate` spans per second, catching up after the loop was blocked, as a busy app does. */
function steadyEmitter(rate: number, emit: (index: number) => void): { stop(): number } {
  const started = performance.now();
  let emitted = 0;
  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    const due = Math.floor(((performance.now() - started) * rate) / 1000);
    while (emitted < due) emit(emitted++);
    timer = setTimeout(tick, 1);
  };
  tick();
  return {
    stop() {
      clearTimeout(timer);
      return emitted;
    },
  };
}

async function measureWindow(
  ms: number,
  bufferedBytes: (() => number) | undefined,
): Promise<Omit<Sample, 'emitted' | 'handedShare' | 'storedShare'>> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  const rss: number[] = [];
  const heap: number[] = [];
  let bufferPeak = 0;
  const sampler = setInterval(() => {
    const usage = process.memoryUsage();
    rss.push(usage.rss);
    heap.push(usage.heapUsed);
    if (bufferedBytes) bufferPeak = Math.max(bufferPeak, bufferedBytes());
  }, 100);
  const cpuBefore = processCpuMicros();
  const mainBefore = mainThreadCpuMicros();
  const started = performance.now();
  delay.enable();
  await sleep(ms);
  delay.disable();
  clearInterval(sampler);
  const elapsedMicros = (performance.now() - started) * 1000;
  const mainAfter = mainThreadCpuMicros();
  return {
    loopDelayP50Ms: delay.percentile(50) / 1e6,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
    loopDelayMaxMs: delay.max / 1e6,
    mainThreadCpu: mainBefore === undefined || mainAfter === undefined ? undefined : ((mainAfter - mainBefore) / elapsedMicros) * 100,
    processCpu: ((processCpuMicros() - cpuBefore) / elapsedMicros) * 100,
    rssPeakMiB: Math.max(...rss) / MiB,
    rssSteadyMiB: quantile(rss, 0.5) / MiB,
    heapSteadyMiB: quantile(heap, 0.5) / MiB,
    bufferPeakMiB: bufferedBytes ? bufferPeak / MiB : undefined,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function withinLimit(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
