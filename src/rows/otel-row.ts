/**
 * A finished span as an `otel_traces` row, with every value written exactly as the OTel
 * Collector's ClickHouse exporter writes it (lowercase hex ids, `Client`/`Server`/... kinds,
 * `Unset`/`Ok`/`Error` status, Duration in nanoseconds, Timestamp with exact nanoseconds).
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { attributesToMap } from './attribute-value.js';
import { hrTimeToNanosString } from './time.js';

/** Column names as in ddl/otel_traces.sql (Nested columns as their `Parent.child` sub-columns). */
export interface OtelTraceRow {
  Timestamp: string;
  TraceId: string;
  SpanId: string;
  ParentSpanId: string;
  TraceState: string;
  SpanName: string;
  SpanKind: string;
  ServiceName: string;
  ResourceAttributes: Record<string, string>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Record<string, string>;
  Duration: number;
  StatusCode: string;
  StatusMessage: string;
  'Events.Timestamp': string[];
  'Events.Name': string[];
  'Events.Attributes': Record<string, string>[];
  'Links.TraceId': string[];
  'Links.SpanId': string[];
  'Links.TraceState': string[];
  'Links.Attributes': Record<string, string>[];
}

const SPAN_KINDS: Record<number, string> = {
  [SpanKind.INTERNAL]: 'Internal',
  [SpanKind.SERVER]: 'Server',
  [SpanKind.CLIENT]: 'Client',
  [SpanKind.PRODUCER]: 'Producer',
  [SpanKind.CONSUMER]: 'Consumer',
};

const STATUS_CODES: Record<number, string> = {
  [SpanStatusCode.UNSET]: 'Unset',
  [SpanStatusCode.OK]: 'Ok',
  [SpanStatusCode.ERROR]: 'Error',
};

/** The Collector writes `""` for an all-zero (invalid) id. */
function hexId(id: string | undefined): string {
  return id === undefined || /^0*$/.test(id) ? '' : id.toLowerCase();
}

export function serviceNameOf(span: ReadableSpan): string {
  const name = span.resource.attributes['service.name'];
  return typeof name === 'string' ? name : '';
}

export function toOtelRow(span: ReadableSpan): OtelTraceRow {
  const context = span.spanContext();
  const duration = span.duration;
  const row: OtelTraceRow = {
    Timestamp: hrTimeToNanosString(span.startTime),
    TraceId: hexId(context.traceId),
    SpanId: hexId(context.spanId),
    ParentSpanId: hexId(span.parentSpanContext?.spanId),
    TraceState: context.traceState?.serialize() ?? '',
    SpanName: span.name,
    SpanKind: SPAN_KINDS[span.kind] ?? 'Unspecified',
    ServiceName: serviceNameOf(span),
    ResourceAttributes: attributesToMap(span.resource.attributes),
    ScopeName: span.instrumentationScope.name,
    ScopeVersion: span.instrumentationScope.version ?? '',
    SpanAttributes: attributesToMap(span.attributes),
    Duration: Math.max(0, duration[0] * 1e9 + duration[1]),
    StatusCode: STATUS_CODES[span.status.code] ?? 'Unset',
    StatusMessage: span.status.message ?? '',
    'Events.Timestamp': [],
    'Events.Name': [],
    'Events.Attributes': [],
    'Links.TraceId': [],
    'Links.SpanId': [],
    'Links.TraceState': [],
    'Links.Attributes': [],
  };
  for (const event of span.events) {
    row['Events.Timestamp'].push(hrTimeToNanosString(event.time));
    row['Events.Name'].push(event.name);
    row['Events.Attributes'].push(attributesToMap(event.attributes));
  }
  for (const link of span.links) {
    row['Links.TraceId'].push(hexId(link.context.traceId));
    row['Links.SpanId'].push(hexId(link.context.spanId));
    row['Links.TraceState'].push(link.context.traceState?.serialize() ?? '');
    row['Links.Attributes'].push(attributesToMap(link.attributes));
  }
  return row;
}
