/** One `otel_traces` row as a typed object, whichever Collector version wrote the table. */
import { dateFromEpochNanos } from './column-reading.js';

export interface SpanEvent {
  timestamp: Date;
  /** Nanoseconds since the Unix epoch, exact. */
  timestampNs: string;
  name: string;
  attributes: Record<string, string>;
}

export interface SpanLink {
  traceId: string;
  spanId: string;
  traceState: string;
  attributes: Record<string, string>;
}

export interface TraceSpan {
  /** Span start (millisecond precision); `timestampNs` is exact. */
  timestamp: Date;
  /** Span start in nanoseconds since the Unix epoch, as a decimal string. */
  timestampNs: string;
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  traceState: string;
  spanName: string;
  /** 'Unspecified' | 'Internal' | 'Server' | 'Client' | 'Producer' | 'Consumer' (older `SPAN_KIND_*` values normalized). */
  spanKind: string;
  serviceName: string;
  resourceAttributes: Record<string, string>;
  scopeName: string;
  scopeVersion: string;
  spanAttributes: Record<string, string>;
  /** Exact, as a decimal string. */
  durationNs: string;
  durationMs: number;
  /** 'Unset' | 'Ok' | 'Error' (older `STATUS_CODE_*` values normalized). */
  statusCode: string;
  statusMessage: string;
  events: SpanEvent[];
  links: SpanLink[];
}

/**
 * A row as selected by the otel reader: camelCase aliases of the columns, 64-bit values as
 * strings, and null for a column the table does not have (older Collector versions).
 */
export interface TraceSpanRow {
  timestamp: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  traceState: string | null;
  spanName: string | null;
  spanKind: string | null;
  serviceName: string | null;
  resourceAttributes: Record<string, string> | null;
  scopeName: string | null;
  scopeVersion: string | null;
  spanAttributes: Record<string, string> | null;
  duration: string | null;
  statusCode: string | null;
  statusMessage: string | null;
  eventsTimestamp: string[] | null;
  eventsName: string[] | null;
  eventsAttributes: Record<string, string>[] | null;
  linksTraceId: string[] | null;
  linksSpanId: string[] | null;
  linksTraceState: string[] | null;
  linksAttributes: Record<string, string>[] | null;
}

export function toTraceSpan(row: TraceSpanRow): TraceSpan {
  const durationNs = row.duration ?? '0';
  const eventNames = row.eventsName ?? [];
  const linkSpanIds = row.linksSpanId ?? [];
  return {
    timestamp: dateFromEpochNanos(row.timestamp),
    timestampNs: row.timestamp,
    traceId: row.traceId,
    spanId: row.spanId,
    parentSpanId: row.parentSpanId ?? '',
    traceState: row.traceState ?? '',
    spanName: row.spanName ?? '',
    spanKind: normalizeSpanKind(row.spanKind ?? ''),
    serviceName: row.serviceName ?? '',
    resourceAttributes: row.resourceAttributes ?? {},
    scopeName: row.scopeName ?? '',
    scopeVersion: row.scopeVersion ?? '',
    spanAttributes: row.spanAttributes ?? {},
    durationNs,
    durationMs: Number(durationNs) / 1e6,
    statusCode: normalizeStatusCode(row.statusCode ?? ''),
    statusMessage: row.statusMessage ?? '',
    events: eventNames.map((name, i) => {
      const timestampNs = row.eventsTimestamp?.[i] ?? '0';
      return { timestamp: dateFromEpochNanos(timestampNs), timestampNs, name, attributes: row.eventsAttributes?.[i] ?? {} };
    }),
    links: linkSpanIds.map((spanId, i) => ({
      traceId: row.linksTraceId?.[i] ?? '',
      spanId,
      traceState: row.linksTraceState?.[i] ?? '',
      attributes: row.linksAttributes?.[i] ?? {},
    })),
  };
}

/**
 * A span of another organization in a trace this one may read: its place in the structure (ids,
 * parent, name, kind, service, timing, status code) and nothing it carries.
 */
export function withoutContent(span: TraceSpan): TraceSpan {
  return { ...span, resourceAttributes: {}, spanAttributes: {}, statusMessage: '', events: [], links: [], traceState: '' };
}

/** Collectors before opentelemetry-collector-contrib#34799 (2024) wrote the protobuf enum names (`SPAN_KIND_SERVER`); later ones write `Server`. */
export function normalizeSpanKind(value: string): string {
  return fromProtoEnumName(value, 'SPAN_KIND_');
}

/** `STATUS_CODE_ERROR` (older Collectors) to `Error`. */
export function normalizeStatusCode(value: string): string {
  return fromProtoEnumName(value, 'STATUS_CODE_');
}

function fromProtoEnumName(value: string, prefix: string): string {
  if (!value.startsWith(prefix)) return value;
  const name = value.slice(prefix.length).toLowerCase();
  return name.charAt(0).toUpperCase() + name.slice(1);
}
