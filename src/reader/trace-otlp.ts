/**
 * A trace as OTLP/JSON (an `ExportTraceServiceRequest`, as the OTLP/HTTP JSON encoding writes it):
 * spans grouped by resource and scope, ids in hex, times as decimal nanosecond strings, enums as
 * numbers. `otel_traces` keeps attribute values as strings (the Collector flattens them), so every
 * value is a `stringValue`. Pure.
 */
import type { OtlpKeyValue, OtlpResourceSpans, OtlpSpan, OtlpTrace } from './otlp-types.js';
import type { TraceSpan } from './trace-span.js';

// opentelemetry-proto trace.proto: Span.SpanKind and Status.StatusCode.
const SPAN_KINDS: Record<string, number> = { Unspecified: 0, Internal: 1, Server: 2, Client: 3, Producer: 4, Consumer: 5 };
const STATUS_CODES: Record<string, number> = { Unset: 0, Ok: 1, Error: 2 };

export function toOtlpTrace(spans: readonly TraceSpan[]): OtlpTrace {
  const resources = new Map<string, { resource: OtlpResourceSpans; scopes: Map<string, OtlpSpan[]> }>();
  for (const span of spans) {
    const resourceKey = JSON.stringify(sortedEntries(span.resourceAttributes));
    let resource = resources.get(resourceKey);
    if (!resource) {
      resource = { resource: { resource: { attributes: keyValues(span.resourceAttributes) }, scopeSpans: [] }, scopes: new Map() };
      resources.set(resourceKey, resource);
    }
    const scopeKey = JSON.stringify([span.scopeName, span.scopeVersion]);
    let scopeSpans = resource.scopes.get(scopeKey);
    if (!scopeSpans) {
      scopeSpans = [];
      resource.scopes.set(scopeKey, scopeSpans);
      resource.resource.scopeSpans.push({ scope: { name: span.scopeName, version: span.scopeVersion }, spans: scopeSpans });
    }
    scopeSpans.push(toOtlpSpan(span));
  }
  return { resourceSpans: [...resources.values()].map((entry) => entry.resource) };
}

function toOtlpSpan(span: TraceSpan): OtlpSpan {
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId,
    traceState: span.traceState,
    name: span.spanName,
    kind: SPAN_KINDS[span.spanKind] ?? 0,
    startTimeUnixNano: span.timestampNs,
    endTimeUnixNano: String(BigInt(span.timestampNs) + BigInt(span.durationNs)),
    attributes: keyValues(span.spanAttributes),
    events: span.events.map((event) => ({ timeUnixNano: event.timestampNs, name: event.name, attributes: keyValues(event.attributes) })),
    links: span.links.map((link) => ({
      traceId: link.traceId,
      spanId: link.spanId,
      traceState: link.traceState,
      attributes: keyValues(link.attributes),
    })),
    status: { code: STATUS_CODES[span.statusCode] ?? 0, message: span.statusMessage },
  };
}

function sortedEntries(attributes: Record<string, string>): Array<[string, string]> {
  return Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

function keyValues(attributes: Record<string, string>): OtlpKeyValue[] {
  return sortedEntries(attributes).map(([key, value]) => ({ key, value: { stringValue: value } }));
}
