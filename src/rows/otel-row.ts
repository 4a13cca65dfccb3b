/**
 * A finished span as an `otel_traces` row, with every value written exactly as the OTel
 * Collector's ClickHouse exporter writes it (lowercase hex ids, `Client`/`Server`/... kinds,
 * `Unset`/`Ok`/`Error` status, Duration in nanoseconds, Timestamp with exact nanoseconds).
 */
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import { attributesToMap } from './attribute-value.js';
import type { PayloadPolicy } from '../config/config.js';
import { cappedText, DEFAULT_PAYLOAD_POLICY } from './payload.js';
import { DEFAULT_MAX_ATTRIBUTE_BYTES } from '../config/config.js';
import { redactAttributes, redactSecrets } from '../redaction/credentials.js';
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
  ResourceAttributes: Readonly<Record<string, string>>;
  ScopeName: string;
  ScopeVersion: string;
  SpanAttributes: Readonly<Record<string, string>>;
  Duration: number;
  StatusCode: string;
  StatusMessage: string;
  'Events.Timestamp': readonly string[];
  'Events.Name': readonly string[];
  'Events.Attributes': readonly Readonly<Record<string, string>>[];
  'Links.TraceId': readonly string[];
  'Links.SpanId': readonly string[];
  'Links.TraceState': readonly string[];
  'Links.Attributes': readonly Record<string, string>[];
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
  if (id === undefined) return '';
  // Ids rarely start with a zero: the full check only runs when one does.
  return id.charCodeAt(0) === 48 && /^0*$/.test(id) ? '' : id.toLowerCase();
}

export function serviceNameOf(span: ReadableSpan): string {
  return resourceColumns(span).serviceName;
}

interface ResourceColumns {
  serviceName: string;
  /** Shared by every row of the resource: frozen, never changed. */
  attributes: Readonly<Record<string, string>>;
  /** The attribute cap they were built with. */
  maxBytes: number;
}

// Every span of a tracer provider shares its resource, so its columns are built (and redacted) once.
// Keyed by the attributes object, which the SDK keeps once async attributes have settled (until then
// each read returns a new object, so an entry can never be stale).
const resourceCache = new WeakMap<Attributes, ResourceColumns>();

/** `maxBytes` undefined: any cap will do (only the service name is read). */
function resourceColumns(span: ReadableSpan, maxBytes?: number): ResourceColumns {
  const attributes = span.resource.attributes;
  let columns = resourceCache.get(attributes);
  if (columns === undefined || (maxBytes !== undefined && columns.maxBytes !== maxBytes)) {
    maxBytes ??= DEFAULT_MAX_ATTRIBUTE_BYTES;
    const name = attributes['service.name'];
    const map = redactAttributes(attributesToMap(attributes));
    for (const key in map) map[key] = cappedText(map[key]!, maxBytes);
    columns = { serviceName: typeof name === 'string' ? name : '', attributes: Object.freeze(map), maxBytes };
    resourceCache.set(attributes, columns);
  }
  return columns;
}

export interface OtelRowOptions {
  payloads?: PayloadPolicy;
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
 * once, not twice, unless `contentInTraces`). Usually every value is a string already and nothing
 * is left out: then the attributes object itself is the map, read-only, and no copy is made.
 */
function storedAttributes(attributes: Attributes | undefined, dropContent: boolean, caps: Caps): Readonly<Record<string, string>> {
  if (attributes === undefined) return {};
  let asIs = true;
  for (const key in attributes) {
    const value = attributes[key];
    if (
      typeof value !== 'string' ||
      value.length * 3 > caps.attribute ||
      LLM_TRACES_PAYLOAD_KEYS.has(key) ||
      (dropContent && isContentKey(key))
    ) {
      asIs = false;
      break;
    }
  }
  if (asIs) return attributes as Readonly<Record<string, string>>;
  const map = attributesToMap(attributes);
  for (const key in map) {
    if (LLM_TRACES_PAYLOAD_KEYS.has(key) || (dropContent && isContentKey(key))) delete map[key];
    // Message content kept in otel_traces (contentInTraces) is capped as a payload, the rest as an attribute.
    else map[key] = cappedText(map[key]!, isContentKey(key) ? Math.max(caps.content, caps.attribute) : caps.attribute);
  }
  return map;
}

/** Bytes kept of a value: an attribute's, and message content's. */
interface Caps {
  attribute: number;
  content: number;
}

/**
 * `span` is expected with its attributes already redacted (see convertSpans); links and resource
 * are redacted here. `llmCall`: the span became an llm_traces row, which holds its message content.
 */
export function toOtelRow(span: ReadableSpan, options: OtelRowOptions = {}, llmCall = false): OtelTraceRow {
  const policy = options.payloads ?? DEFAULT_PAYLOAD_POLICY;
  const dropContent = !policy.store || (llmCall && !policy.contentInTraces);
  const caps: Caps = { attribute: policy.maxAttributeBytes ?? DEFAULT_MAX_ATTRIBUTE_BYTES, content: policy.maxBytes };
  const context = span.spanContext();
  const resource = resourceColumns(span, caps.attribute);
  const durationNs = span.duration[0] * 1e9 + span.duration[1];
  return {
    Timestamp: hrTimeToNanosString(span.startTime),
    TraceId: hexId(context.traceId),
    SpanId: hexId(context.spanId),
    ParentSpanId: hexId(span.parentSpanContext?.spanId),
    TraceState: context.traceState?.serialize() ?? '',
    SpanName: span.name,
    SpanKind: SPAN_KINDS[span.kind] ?? 'Unspecified',
    ServiceName: resource.serviceName,
    ResourceAttributes: resource.attributes,
    ScopeName: span.instrumentationScope.name,
    ScopeVersion: span.instrumentationScope.version ?? '',
    SpanAttributes: storedAttributes(span.attributes, dropContent, caps),
    // A broken clock (NaN, negative) must not fail the insert of the whole batch.
    Duration: Number.isFinite(durationNs) && durationNs > 0 ? Math.round(durationNs) : 0,
    StatusCode: STATUS_CODES[span.status.code] ?? 'Unset',
    StatusMessage: redactSecrets(span.status.message ?? ''),
    'Events.Timestamp': each(span.events, (event) => hrTimeToNanosString(event.time)),
    'Events.Name': each(span.events, (event) => event.name),
    'Events.Attributes': each(span.events, (event) => storedAttributes(event.attributes, dropContent, caps)),
    'Links.TraceId': each(span.links, (link) => hexId(link.context.traceId)),
    'Links.SpanId': each(span.links, (link) => hexId(link.context.spanId)),
    'Links.TraceState': each(span.links, (link) => link.context.traceState?.serialize() ?? ''),
    // Link attributes are not redacted on the span (see convertSpans): a copy is redacted here.
    'Links.Attributes': each(span.links, (link) => redactAttributes({ ...storedAttributes(link.attributes, false, caps) })),
  };
}

const NONE: readonly never[] = Object.freeze([]);

/** `items` mapped; most spans have no events and no links, and then every list is one shared empty array. */
function each<T, R>(items: readonly T[], map: (item: T) => R): readonly R[] {
  return items.length === 0 ? NONE : items.map(map);
}
