/**
 * The lab every instrumentation test runs in: the loopback fake provider, a fresh embedded
 * ClickHouse, and the real exporter behind a BatchSpanProcessor, after LlmContextSpanProcessor
 * (`use` switches to other set-ups), on a globally registered NodeTracerProvider (global, because the AI SDK and the Anthropic SDK's own tracing look the
 * provider up there; Node, for the async context that parents their spans).
 *
 * `run` performs one scenario and returns the spans it produced, the `llm_traces` rows the
 * exporter wrote for exactly those spans, and the requests the fake provider served.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';
import { context, trace, type Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type Span,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { LlmContextSpanProcessor } from '../../../src/context.js';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import type { LlmTraceRow } from '../../../src/rows/llm-row.js';
import { startFakeProvider, type FakeProvider, type RecordedRequest } from '../../support/fake-provider.js';
import { openTestStore, type TestStore } from '../../support/store.js';

/**
 * Node's own `require`: the instrumentations patch CommonJS module objects, and neither the
 * require hook nor manual patching sees what vitest loads through `import`.
 */
export const requireCjs = createRequire(import.meta.url);

export const SERVICE_NAME = 'instrumentation-lab';

/** The `llm_traces` columns the tests assert. */
const ROW_COLUMNS = [
  'span_id',
  'parent_span_id',
  'span_name',
  'service_name',
  'call_type',
  'provider',
  'model',
  'request_model',
  'has_usage',
  'prompt_tokens',
  'completion_tokens',
  'total_tokens',
  'cached_input_tokens',
  'cache_write_tokens',
  'reasoning_tokens',
  'latency_ms',
  'time_to_first_token_ms',
  'is_error',
  'error_type',
  'error_message',
  'finish_reasons',
  'conversation_id',
  'user_id',
  'metadata',
] as const satisfies ReadonlyArray<keyof LlmTraceRow>;

export type LlmRow = Pick<LlmTraceRow, (typeof ROW_COLUMNS)[number]>;

export interface ScenarioResult {
  /** Finished spans, in the order they ended. */
  spans: ReadableSpan[];
  /** The rows written for those spans, oldest span first. */
  rows: LlmRow[];
  /** Requests the fake provider served during the scenario. */
  calls: RecordedRequest[];
  /** What the scenario threw (error scenarios), else undefined. */
  thrown: unknown;
}

/**
 * How spans reach the exporter: one `BatchSpanProcessor` batch per scenario (the flush at its end),
 * one span per export (`SimpleSpanProcessor`), or a `BatchSpanProcessor` whose schedule (1 ms) is
 * shorter than the calls, so batches end mid-call; each with or without `LlmContextSpanProcessor`.
 */
export type Delivery = 'batch' | 'simple' | 'scheduled';
export interface LabSetup {
  delivery: Delivery;
  contextProcessor: boolean;
}
/** The set-up of README and `llm-traces/register`: the context processor and a batch processor. */
export const DEFAULT_SETUP: LabSetup = { delivery: 'batch', contextProcessor: true };
export const SPLIT_SETUPS: readonly LabSetup[] = (['simple', 'scheduled'] as const).flatMap((delivery) =>
  [true, false].map((contextProcessor) => ({ delivery, contextProcessor })),
);

export interface Lab {
  fake: FakeProvider;
  tracerProvider: NodeTracerProvider;
  /** Routes the following scenarios' spans this way (DEFAULT_SETUP until then). */
  use(setup: LabSetup): void;
  /** The exporter behind the tracer provider, and the store it writes. */
  exporter: ClickHouseTraceExporter;
  store: TestStore;
  run(body: () => Promise<unknown>): Promise<ScenarioResult>;
  close(): Promise<void>;
}

// Some libraries end their span a few ticks after the call settles (stream teardown, promise callbacks).
const SETTLE_MS = 50;
const HELD_WAIT_MS = 2_000;

export async function startLab(): Promise<Lab> {
  const store = await openTestStore();
  const exporter = new ClickHouseTraceExporter({ client: store.client, database: 'otel' });
  await exporter.ready();
  const failures = new FailureRecorder(exporter);
  const memory = new InMemorySpanExporter();
  const deliveries: Record<Delivery, SpanProcessor> = {
    batch: new BatchSpanProcessor(failures),
    simple: new SimpleSpanProcessor(failures),
    scheduled: new BatchSpanProcessor(failures, { scheduledDelayMillis: 1 }),
  };
  const route = new SwitchedProcessor(deliveries.batch);
  const contextRoute = new SwitchedProcessor(new LlmContextSpanProcessor());
  const tracerProvider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': SERVICE_NAME }),
    spanProcessors: [contextRoute, new SimpleSpanProcessor(memory), route],
  });
  tracerProvider.register();
  const fake = await startFakeProvider();

  return {
    fake,
    tracerProvider,
    use(setup) {
      route.to = deliveries[setup.delivery];
      contextRoute.to = setup.contextProcessor ? new LlmContextSpanProcessor() : undefined;
    },
    exporter,
    store,
    async run(body) {
      memory.reset();
      const firstCall = fake.requests.length;
      let thrown: unknown;
      try {
        await body();
      } catch (error) {
        thrown = error;
      }
      await sleep(SETTLE_MS);
      await tracerProvider.forceFlush();
      // A call waiting for its partner span is written when the partner comes (a loaded machine may
      // end the second span after the flush): give it a moment, then flush again.
      for (let waited = 0; exporter.stats()!.heldLlmCalls > 0 && waited < HELD_WAIT_MS; waited += 20) {
        await sleep(20);
        await tracerProvider.forceFlush();
      }
      // A BatchSpanProcessor's forceFlush does not wait for an export its timer started: the exporter's does.
      await exporter.forceFlush();
      failures.throwIfAny();
      const spans = memory.getFinishedSpans();
      return { spans, rows: await rowsOf(store, spans), calls: fake.requests.slice(firstCall), thrown };
    },
    async close() {
      await fake.close();
      route.to = undefined;
      await tracerProvider.shutdown();
      await Promise.all(Object.values(deliveries).map((delivery) => delivery.shutdown()));
      trace.disable();
      context.disable();
      await store.close();
    },
  };
}

async function rowsOf(store: TestStore, spans: readonly ReadableSpan[]): Promise<LlmRow[]> {
  if (spans.length === 0) return [];
  return store.rows<LlmRow>(
    `SELECT ${ROW_COLUMNS.join(', ')} FROM otel.llm_traces WHERE span_id IN {ids:Array(String)} ORDER BY created_at, span_id`,
    { ids: spans.map((span) => span.spanContext().spanId) },
  );
}

/** Hands spans to whichever processor is current (none: undefined). */
class SwitchedProcessor implements SpanProcessor {
  constructor(public to: SpanProcessor | undefined) {}
  onStart(span: Span, parentContext: Context): void {
    this.to?.onStart(span, parentContext);
  }
  onEnd(span: ReadableSpan): void {
    this.to?.onEnd(span);
  }
  async forceFlush(): Promise<void> {
    await this.to?.forceFlush();
  }
  async shutdown(): Promise<void> {
    await this.to?.shutdown();
  }
}

/** Passes spans to the exporter and keeps any failed result, so a storage fault fails the test by name. */
class FailureRecorder implements SpanExporter {
  private readonly failures: string[] = [];

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    this.inner.export(spans, (result) => {
      if (result.code !== ExportResultCode.SUCCESS) this.failures.push(result.error?.message ?? 'unknown export failure');
      resultCallback(result);
    });
  }

  throwIfAny(): void {
    const failures = this.failures.splice(0);
    if (failures.length > 0) throw new Error(`the exporter failed: ${failures.join('; ')}`);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

/**
 * Patches an already loaded CommonJS module with an instrumentation's own module definitions
 * (the require hook sees neither npm aliases such as `openai-v4` nor vitest's imports). Returns
 * the undo. Construct the instrumentation with `enabled: false` so its hook does not patch again.
 */
export function patchManually(instrumentation: ManuallyPatchable, moduleExports: unknown, version: string): () => void {
  const definitions = instrumentation.getModuleDefinitions();
  for (const definition of definitions) definition.patch?.(moduleExports, version);
  return () => {
    for (const definition of definitions) definition.unpatch?.(moduleExports, version);
  };
}

export interface ManuallyPatchable {
  getModuleDefinitions(): Array<{
    patch?: (moduleExports: unknown, moduleVersion?: string) => unknown;
    unpatch?: (moduleExports: unknown, moduleVersion?: string) => void;
  }>;
}

/** Reads a stream to its end (the instrumentations finish stream spans when the stream ends). */
export async function drain(stream: unknown): Promise<void> {
  for await (const _chunk of stream as AsyncIterable<unknown>);
}

/** The installed version of a package or npm alias (read from the file: not every package exports ./package.json). */
export function installedVersion(name: string): string {
  const manifest = readFileSync(new URL(`../../../node_modules/${name}/package.json`, import.meta.url), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}
