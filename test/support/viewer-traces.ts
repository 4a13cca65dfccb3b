/**
 * Realistic traces for the viewer tests: spans captured from real instrumentations (OpenInference
 * OpenAI chat with a tool call and Responses, the Anthropic SDK with prompt caching and a 429,
 * Traceloop Anthropic tool use, AI SDK 6 with a tool loop and an error), each re-identified, moved
 * in time, tagged with application ids and put under an `api-gateway` server span, so a trace
 * spans two services. Exported by the real exporter by the tests that use them.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { loadFixture, toReadableSpan, type SerializedSpan } from './span-fixtures.js';

export const VIEWER_FIXTURES = [
  'openinference-openai@4/openai6-chat-tool-call',
  'openinference-openai@4/openai6-responses',
  'anthropic-sdk@1/messages-cached',
  'traceloop-anthropic@0.27/messages-tool-use',
  'ai@6/tool-call-anthropic',
  'anthropic-sdk@1/error-429',
  'openinference-openai@4/openai6-chat-stream',
  'ai@6/error-429-openai-chat',
] as const;

export interface ViewerTrace {
  index: number;
  fixture: (typeof VIEWER_FIXTURES)[number];
  traceId: string;
  organizationId: string;
  agentId: string;
  runId: string;
  tag: string;
  /** The gateway span's start, epoch ms. */
  startMs: number;
  spans: ReadableSpan[];
  /** The fixture's spans as captured, lower-cased JSON: what a payload search can find. */
  capturedText: string;
}

const SPACING_MS = 17_000;

function hex(value: number, width: number): string {
  return value.toString(16).padStart(width, '0');
}

function shift([seconds, nanos]: [number, number], deltaNs: bigint): [number, number] {
  const total = BigInt(seconds) * 1_000_000_000n + BigInt(nanos) + deltaNs;
  return [Number(total / 1_000_000_000n), Number(total % 1_000_000_000n)];
}

function toNs([seconds, nanos]: [number, number]): bigint {
  return BigInt(seconds) * 1_000_000_000n + BigInt(nanos);
}

/** Trace `index`: 1 in 5 belongs to org-b, the rest to org-a; agents and runs rotate. */
export function viewerTrace(index: number, baseMs: number): ViewerTrace {
  const fixture = VIEWER_FIXTURES[index % VIEWER_FIXTURES.length]!;
  const raw = loadFixture(fixture).raw;
  const organizationId = index % 5 === 4 ? 'org-b' : 'org-a';
  const agentId = `agent-${index % 3}`;
  const runId = `run-${Math.floor(index / 4)}`;
  const tag = index % 2 === 0 ? 'even' : 'odd';
  const traceId = `7${hex(index, 31)}`;
  const startMs = baseMs + index * SPACING_MS;
  const gatewayId = `a${hex(index, 11)}0000`;
  const spanIds = new Map(raw.map((span, i) => [span.spanId, `b${hex(index, 11)}${hex(i + 1, 4)}`]));
  const first = raw.reduce((min, span) => (toNs(span.startTime) < min ? toNs(span.startTime) : min), toNs(raw[0]!.startTime));
  const last = raw.reduce((max, span) => (toNs(span.endTime) > max ? toNs(span.endTime) : max), toNs(raw[0]!.endTime));
  // The fixture's spans start 5 ms into the gateway span and it ends 5 ms after them.
  const delta = BigInt(startMs + 5) * 1_000_000n - first;
  const ids = {
    'llm_traces.organization_id': organizationId,
    'llm_traces.agent_id': agentId,
    'llm_traces.run_id': runId,
    'llm_traces.agent_tags': [tag, 'viewer-test'],
  };
  const moved: SerializedSpan[] = raw.map((span, i) => ({
    ...span,
    traceId,
    spanId: spanIds.get(span.spanId)!,
    parentSpanId: span.parentSpanId ? (spanIds.get(span.parentSpanId) ?? gatewayId) : gatewayId,
    startTime: shift(span.startTime, delta),
    endTime: shift(span.endTime, delta),
    attributes: { ...span.attributes, ...ids, 'llm_traces.step_id': `${runId}-${index}-${i}` },
    events: span.events.map((event) => ({ ...event, time: shift(event.time, delta) })),
    resource: { ...span.resource, 'service.name': 'agent-worker' },
  }));
  const gatewayEnd = last + delta + 5_000_000n;
  const gateway: SerializedSpan = {
    name: 'POST /v1/agent/run',
    kind: 1, // SERVER
    traceId,
    spanId: gatewayId,
    parentSpanId: null,
    startTime: [Math.floor(startMs / 1000), (startMs % 1000) * 1_000_000],
    endTime: [Number(gatewayEnd / 1_000_000_000n), Number(gatewayEnd % 1_000_000_000n)],
    status: { code: 1 },
    attributes: { 'http.request.method': 'POST', 'http.route': '/v1/agent/run', 'http.response.status_code': 200 },
    events: [],
    resource: { 'service.name': 'api-gateway', 'deployment.environment.name': 'test' },
    scope: { name: 'gateway-http', version: '2.0.0' },
  };
  return {
    index,
    fixture,
    traceId,
    organizationId,
    agentId,
    runId,
    tag,
    startMs,
    spans: [gateway, ...moved].map(toReadableSpan),
    capturedText: JSON.stringify(raw).toLowerCase(),
  };
}
