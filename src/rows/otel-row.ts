/**
 * A finished span as an `otel_traces` row, with every value written exactly as the OTel
 * Collector's ClickHouse exporter writes it (lowercase hex ids, `Client`/`Server`/... kinds,
 * `Unset`/`Ok`/`Error` status, Duration in nanoseconds, Timestamp with exact nanoseconds).
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import { attributesToMap } from './attribute-value.js';
import { DEFAULT_PAYLOAD_POLICY, type PayloadPolicy } from './payload.js';
import { redactAttributes, redactSecrets } from './redact.js';
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

export interface OtelRowOptions {
  payloads?: PayloadPolicy;
  /** The span became an llm_traces row, which holds its message content. */
  llmCall?: boolean;
}

// The raw payloads of this package's own convention are stored once, in llm_traces.
const LLM_TRACES_PAYLOAD_KEYS = new Set(['llm_traces.request_json', 'llm_traces.response_json', 'llm_traces.llm_config_json']);

// Message content in every convention's spelling; left out when payloads are not to be stored.
const CONTENT_KEYS = new Set([
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
  'gen_ai.tool.call.arguments',
  'gen_ai.tool.call.result',
  'gen_ai.prompt',
  'gen_ai.completion',
  'input.value',
  'output.value',
  'ai.prompt',
  'ai.prompt.messages',
  'ai.response.text',
  'ai.response.toolCalls',
  'ai.response.object',
  'ai.toolCall.args',
  'ai.toolCall.result',
  'traceloop.entity.input',
  'traceloop.entity.output',
]);
const CONTENT_PREFIXES = ['gen_ai.prompt.', 'gen_ai.completion.', 'llm.input_messages.', 'llm.output_messages.'];

function isContentKey(key: string): boolean {
  return CONTENT_KEYS.has(key) || CONTENT_PREFIXES.some((prefix) => key.startsWith(prefix));
}

/**
 * Attributes as stored: without this package's raw payloads (they are in llm_traces), and without
 * message content when payloads are off or when the span's llm_traces row already holds it (stored
 * once, not twice, unless `contentInTraces`).
 */
function storedAttributes(attributes: Attributes | undefined, dropContent: boolean): Record<string, string> {
  const map = attributesToMap(attributes);
  for (const key in map) {
    if (LLM_TRACES_PAYLOAD_KEYS.has(key) || (dropContent && isContentKey(key))) delete map[key];
  }
  return map;
}

/** `span` is expected with its attributes already redacted (see convertSpans); links and resource are redacted here. */
export function toOtelRow(span: ReadableSpan, options: OtelRowOptions = {}): OtelTraceRow {
  const policy = options.payloads ?? DEFAULT_PAYLOAD_POLICY;
  const dropContent = !policy.store || (options.llmCall === true && !policy.contentInTraces);
  const context = span.spanContext();
  const durationNs = span.duration[0] * 1e9 + span.duration[1];
  const row: OtelTraceRow = {
    Timestamp: hrTimeToNanosString(span.startTime),
    TraceId: hexId(context.traceId),
    SpanId: hexId(context.spanId),
    ParentSpanId: hexId(span.parentSpanContext?.spanId),
    TraceState: context.traceState?.serialize() ?? '',
    SpanName: span.name,
    SpanKind: SPAN_KINDS[span.kind] ?? 'Unspecified',
    ServiceName: serviceNameOf(span),
    ResourceAttributes: redactAttributes(attributesToMap(span.resource.attributes)),
    ScopeName: span.instrumentationScope.name,
    ScopeVersion: span.instrumentationScope.version ?? '',
    SpanAttributes: storedAttributes(span.attributes, dropContent),
    // A broken clock (NaN, negative) must not fail the insert of the whole batch.
    Duration: Number.isFinite(durationNs) && durationNs > 0 ? Math.round(durationNs) : 0,
    StatusCode: STATUS_CODES[span.status.code] ?? 'Unset',
    StatusMessage: redactSecrets(span.status.message ?? ''),
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
    row['Events.Attributes'].push(storedAttributes(event.attributes, dropContent));
  }
  for (const link of span.links) {
    row['Links.TraceId'].push(hexId(link.context.traceId));
    row['Links.SpanId'].push(hexId(link.context.spanId));
    row['Links.TraceState'].push(link.context.traceState?.serialize() ?? '');
    row['Links.Attributes'].push(redactAttributes(storedAttributes(link.attributes, false)));
  }
  return row;
}
