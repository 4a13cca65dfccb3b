/**
 * `GenAiContentLogProcessor`: a LogRecordProcessor that hands the prompt and completion GenAI
 * instrumentations emit as log records (`@opentelemetry/instrumentation-openai` with
 * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true) to a ClickHouseTraceExporter, which
 * joins them to the LLM call of their span (pipeline/log-content.ts) and stores them in its request
 * and response payloads, redacted and capped like every payload. Other log records pass untouched.
 */
import { diag, trace, TraceFlags, type Context, type SpanContext } from '@opentelemetry/api';
import { genAiEventContent, genAiEventName } from '../conventions/gen-ai-events.js';
import type { ClickHouseTraceExporter } from '../exporter.js';
import { logContentAreaOf, type LogContentArea, type LogContentStats } from '../pipeline/log-content.js';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

/**
 * What the processor reads of a log record. The SDK's `ReadWriteLogRecord` has these fields; typed
 * here so this package does not depend on @opentelemetry/sdk-logs.
 */
export interface GenAiLogRecord {
  spanContext?: SpanContext;
  eventName?: string;
  body?: unknown;
  attributes: Record<string, unknown>;
}

export class GenAiContentLogProcessor {
  private readonly area: LogContentArea | undefined;

  /** `exporter`: the exporter that writes the spans these records belong to. */
  constructor(exporter: ClickHouseTraceExporter) {
    // None when the exporter stores no payloads (storePayloads: false) or has no valid configuration.
    this.area = logContentAreaOf(exporter);
  }

  /** Runs inside the app's logger call: never throws, does no I/O. */
  onEmit(record: GenAiLogRecord, context?: Context): void {
    if (!this.area) return;
    try {
      const attributes = record.attributes ?? {};
      const name = genAiEventName(record.eventName, attributes);
      if (name === undefined) return;
      const spanContext = record.spanContext ?? (context ? trace.getSpanContext(context) : undefined);
      // A span that is not sampled is never exported: its content would only wait and be dropped.
      if (!spanContext || (spanContext.traceFlags & TraceFlags.SAMPLED) === 0) return;
      const content = genAiEventContent(name, record.body, attributes);
      if (content) this.area.add(spanContext.spanId, content);
    } catch (error) {
      log.debug('a GenAI content log record could not be read and was skipped', error);
    }
  }

  /** Joined, waiting, late and dropped content (see LogContentArea). */
  stats(): LogContentStats {
    return this.area?.stats() ?? { held: 0, joined: 0, late: 0, dropped: 0 };
  }

  /** Nothing to flush: content waits for its span, which the exporter's own flush writes. */
  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * For zero-code set-ups (`llm-traces/register`): a global LoggerProvider with this processor, when
 * the app has @opentelemetry/sdk-logs and no LoggerProvider of its own. Resolves either way.
 */
export async function installGenAiContentLogs(exporter: ClickHouseTraceExporter): Promise<void> {
  try {
    const [{ logs }, { LoggerProvider }] = await Promise.all([import('@opentelemetry/api-logs'), import('@opentelemetry/sdk-logs')]);
    const provider = new LoggerProvider({ processors: [new GenAiContentLogProcessor(exporter)] });
    if (logs.setGlobalLoggerProvider(provider) !== provider) {
      log.debug('a LoggerProvider is already registered: add GenAiContentLogProcessor to it to store GenAI content from log records');
    }
  } catch {
    log.debug('@opentelemetry/sdk-logs is not installed: GenAI content in log records (instrumentation-openai) is not stored');
  }
}
