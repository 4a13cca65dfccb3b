/**
 * A captured fixture played again through a real OTel SDK tracer provider: its spans are started
 * in start order (each inside its parent's context, with the captured ids, times, kinds,
 * attributes, events and scope) and ended in the captured end order, so the span processors see
 * exactly what they saw at capture time, `LlmContextSpanProcessor` included. The attributes a span
 * had when it ended are given at its start (the processor sees an ancestor's final attributes).
 */
import { ROOT_CONTEXT, trace, TraceFlags, type Context, type HrTime, type Span } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type IdGenerator,
  type ReadableSpan,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import type { SpanFixture } from './span-fixtures.js';

/** Hands out the id of the span being started next. */
class FixtureIds implements IdGenerator {
  next = { traceId: '', spanId: '' };
  generateTraceId(): string {
    return this.next.traceId;
  }
  generateSpanId(): string {
    return this.next.spanId;
  }
}

/**
 * The fixture's spans as a real SDK hands them over (end order), after `processors` (ahead of the
 * recording one) saw every start and end.
 */
export async function replayFixture(fixture: SpanFixture, processors: SpanProcessor[] = []): Promise<ReadableSpan[]> {
  const ids = new FixtureIds();
  const memory = new InMemorySpanExporter();
  const resource = fixture.spans[0]?.resource ?? resourceFromAttributes({});
  const provider = new BasicTracerProvider({
    resource,
    idGenerator: ids,
    spanLimits: { attributeCountLimit: 100_000, eventCountLimit: 100_000, linkCountLimit: 100_000 },
    spanProcessors: [...processors, new SimpleSpanProcessor(memory)],
  });
  const captured = fixture.spans;
  const depth = (span: ReadableSpan): number => {
    const parent = captured.find((other) => other.spanContext().spanId === span.parentSpanContext?.spanId);
    return parent ? depth(parent) + 1 : 0;
  };
  const byStart = [...captured].sort((a, b) => compareTime(a.startTime, b.startTime) || depth(a) - depth(b));
  const started = new Map<string, Span>();
  for (const span of byStart) {
    const { traceId, spanId } = span.spanContext();
    ids.next = { traceId, spanId };
    const tracer = provider.getTracer(span.instrumentationScope.name, span.instrumentationScope.version);
    const live = tracer.startSpan(
      span.name,
      { kind: span.kind, startTime: span.startTime, attributes: span.attributes, links: span.links },
      parentContext(span, started),
    );
    for (const event of span.events) live.addEvent(event.name, event.attributes, event.time);
    live.setStatus(span.status);
    started.set(spanId, live);
  }
  for (const span of captured) started.get(span.spanContext().spanId)!.end(span.endTime);
  await provider.forceFlush();
  const spans = memory.getFinishedSpans();
  await provider.shutdown();
  return spans;
}

function parentContext(span: ReadableSpan, started: ReadonlyMap<string, Span>): Context {
  const parent = span.parentSpanContext;
  if (!parent) return ROOT_CONTEXT;
  const live = started.get(parent.spanId);
  // A parent outside the fixture (the capture's own span) is a remote context of the same trace.
  return live
    ? trace.setSpan(ROOT_CONTEXT, live)
    : trace.setSpanContext(ROOT_CONTEXT, { ...parent, traceFlags: TraceFlags.SAMPLED, isRemote: true });
}

function compareTime(a: HrTime, b: HrTime): number {
  return a[0] - b[0] || a[1] - b[1];
}
