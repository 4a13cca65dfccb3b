/**
 * Real SDK spans for tests: a tracer provider whose finished spans are kept in memory, plus a
 * builder for `ReadableSpan` literals (the pattern of the OTel zipkin exporter's tests).
 */
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type HrTime, type SpanStatus } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';

export function recordingProvider(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'test-service' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  return { provider, exporter };
}

export interface SpanSpec {
  name?: string;
  kind?: SpanKind;
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  startTime?: HrTime;
  endTime?: HrTime;
  status?: SpanStatus;
  attributes?: Attributes;
  events?: ReadableSpan['events'];
  links?: ReadableSpan['links'];
  resource?: Attributes;
  scope?: { name: string; version?: string };
}

export function makeSpan(spec: SpanSpec = {}): ReadableSpan {
  const startTime = spec.startTime ?? [1_795_346_763, 970_123_457];
  const endTime = spec.endTime ?? [startTime[0] + 1, startTime[1]];
  const durationNanos = (endTime[0] - startTime[0]) * 1e9 + (endTime[1] - startTime[1]);
  const traceId = spec.traceId ?? '5b8aa5a2d2c872e8321cf37308d69df2';
  return {
    name: spec.name ?? 'span',
    kind: spec.kind ?? SpanKind.INTERNAL,
    spanContext: () => ({ traceId, spanId: spec.spanId ?? '051581bf3cb55c13', traceFlags: TraceFlags.SAMPLED }),
    parentSpanContext: spec.parentSpanId ? { traceId, spanId: spec.parentSpanId, traceFlags: TraceFlags.SAMPLED } : undefined,
    startTime,
    endTime,
    duration: [Math.floor(durationNanos / 1e9), durationNanos % 1e9],
    status: spec.status ?? { code: SpanStatusCode.UNSET },
    attributes: spec.attributes ?? {},
    links: spec.links ?? [],
    events: spec.events ?? [],
    ended: true,
    resource: resourceFromAttributes(spec.resource ?? { 'service.name': 'test-service' }),
    instrumentationScope: spec.scope ?? { name: 'test-scope', version: '1.0.0' },
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
