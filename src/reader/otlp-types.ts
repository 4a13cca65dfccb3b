/**
 * OTLP/JSON trace shapes (opentelemetry-proto `ExportTraceServiceRequest` as the JSON encoding
 * writes it), as far as `otel_traces` can fill them. Type-only and import-free: the viewer's
 * browser code imports them through src/server/viewer-api/types.ts.
 */
export interface OtlpKeyValue {
  key: string;
  value: { stringValue: string };
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  traceState: string;
  name: string;
  /** SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpKeyValue[];
  events: Array<{ timeUnixNano: string; name: string; attributes: OtlpKeyValue[] }>;
  links: Array<{ traceId: string; spanId: string; traceState: string; attributes: OtlpKeyValue[] }>;
  /** StatusCode: 0 unset, 1 ok, 2 error. */
  status: { code: number; message: string };
}

export interface OtlpResourceSpans {
  resource: { attributes: OtlpKeyValue[] };
  scopeSpans: Array<{ scope: { name: string; version: string }; spans: OtlpSpan[] }>;
}

export interface OtlpTrace {
  resourceSpans: OtlpResourceSpans[];
}
