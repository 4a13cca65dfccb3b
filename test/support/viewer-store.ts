/**
 * The store the viewer's browser tests and screenshots read: spans written by the real exporter
 * over HTTP into a running `llm-traces serve`. It holds
 * - a multi-service agent trace (web-api -> agent-worker -> weather-service, a failing cache
 *   lookup) whose LLM calls carry raw OpenAI Chat bodies with a tool call, a tool result and an image;
 * - Anthropic Messages and OpenAI Responses turns (raw bodies) in runs of their own;
 * - captured instrumentation spans (OpenInference, the Anthropic SDK, the AI SDK) moved to the
 *   last hours, and captured 429 failures (two alike, so they group);
 * - a long agent run whose context grows step by step, a call with a 1 MB request, a call of a
 *   model without a price, and a trace of 1,200 spans.
 * Raw response bodies come from the fake provider.
 */
import { randomBytes } from 'node:crypto';
import { SpanKind, SpanStatusCode, type Attributes, type HrTime } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { ClickHouseTraceExporter } from '../../src/exporter.js';
import { startFakeProvider } from './fake-provider.js';
import { RAW_APIS, toolTurn, type RawExchange } from './provider-payloads.js';
import { loadFixture, toReadableSpan } from './span-fixtures.js';
import { makeSpan } from './spans.js';

export const AGENT = 'weather-bot';
export const IDS = {
  chatToolCall: 'call-chat-tool-call',
  chatToolResult: 'call-chat-tool-result',
  anthropicToolCall: 'call-anthropic-tool-call',
  anthropicToolResult: 'call-anthropic-tool-result',
  responsesToolCall: 'call-responses-tool-call',
  responsesToolResult: 'call-responses-tool-result',
  bigRequest: 'call-big-request',
  unpriced: 'call-unpriced',
} as const;
export const RUNS = {
  chat: 'run-chat-0001',
  anthropic: 'run-anthropic-0002',
  responses: 'run-responses-0003',
  long: 'run-long-0004',
} as const;
export const LONG_RUN_STEPS = 8;
export const WIDE_TRACE_SPANS = 1200;
export const BIG_REQUEST_BYTES = 1_000_000;
export const UNPRICED_MODEL = 'acme-llm-1';
export const SERVICES = ['web-api', 'agent-worker', 'weather-service', 'redis'] as const;

export interface ViewerStore {
  /** The multi-service trace. */
  traceId: string;
  wideTraceId: string;
  /** Trace ids of the Anthropic and Responses turns. */
  anthropicTraceId: string;
  /** Spans exported. */
  spans: number;
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

interface SpanOptions {
  name: string;
  service: string;
  traceId: string;
  parent?: string;
  startMs: number;
  durationMs: number;
  kind?: SpanKind;
  attributes?: Attributes;
  error?: string;
  events?: ReadableSpan['events'];
}

function span(o: SpanOptions & { spanId?: string }): ReadableSpan {
  return makeSpan({
    name: o.name,
    kind: o.kind ?? SpanKind.INTERNAL,
    traceId: o.traceId,
    spanId: o.spanId ?? hex(8),
    parentSpanId: o.parent,
    startTime: hr(o.startMs),
    endTime: hr(o.startMs + o.durationMs),
    status: o.error ? { code: SpanStatusCode.ERROR, message: o.error } : { code: SpanStatusCode.UNSET },
    attributes: o.attributes ?? {},
    events: o.events ?? [],
    resource: { 'service.name': o.service, 'service.version': '1.4.2', 'deployment.environment.name': 'dev' },
    scope: { name: 'viewer-store', version: '1.0.0' },
  });
}

const PROVIDER: Record<RawExchange['api'], string> = {
  'openai.chat': 'openai',
  'openai.responses': 'openai',
  'openai.embeddings': 'openai',
  'anthropic.messages': 'anthropic',
  'bedrock.converse': 'aws.bedrock',
};

/** The attributes of an LLM span that carries raw provider bodies and the app's ids. */
function rawCallAttributes(
  exchange: { api: RawExchange['api']; request: string; response: string },
  ids: { id: string; run: string; step: string; agent?: string; ttftS?: number },
): Attributes {
  return {
    'llm_traces.id': ids.id,
    'llm_traces.request_json': exchange.request,
    'llm_traces.response_json': exchange.response,
    'llm_traces.llm_config_json': JSON.stringify({ model_endpoint_type: PROVIDER[exchange.api] }),
    'llm_traces.agent_id': ids.agent ?? AGENT,
    'llm_traces.agent_tags': ['prod', 'weather'],
    'llm_traces.run_id': ids.run,
    'llm_traces.step_id': ids.step,
    'llm_traces.project_id': 'forecasts',
    'llm_traces.user_id': 'user-42',
    'llm_traces.billing.plan_type': 'pro',
    'llm_traces.billing.customer_id': 'cus_9',
    'llm_traces.metadata.region': 'eu-west-1',
    // A streamed call's time to first token, as the GenAI conventions put it on the span.
    ...(ids.ttftS === undefined ? {} : { 'gen_ai.operation.name': 'chat', 'gen_ai.response.time_to_first_chunk': ids.ttftS }),
  };
}

/** A two-step tool turn as an agent trace across services: the web request, the agent, two LLM calls, the tool and its backend. */
function agentTrace(turn: RawExchange[], ids: [string, string], run: string, startMs: number, traceId = hex(16)): ReadableSpan[] {
  const root = hex(8);
  const agent = hex(8);
  const tool = hex(8);
  const backend = hex(8);
  return [
    span({
      spanId: root,
      name: 'POST /v1/chat',
      service: 'web-api',
      traceId,
      startMs,
      durationMs: 2400,
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': 'POST', 'http.route': '/v1/chat', 'http.response.status_code': 200 },
    }),
    span({
      spanId: agent,
      name: 'agent.turn',
      service: 'agent-worker',
      traceId,
      parent: root,
      startMs: startMs + 20,
      durationMs: 2350,
      attributes: { 'llm_traces.agent_id': AGENT, 'llm_traces.run_id': run },
    }),
    span({
      name: 'cache.lookup',
      service: 'redis',
      traceId,
      parent: agent,
      startMs: startMs + 25,
      durationMs: 4,
      kind: SpanKind.CLIENT,
      error: 'READONLY You cannot write against a read only replica',
      attributes: { 'db.system.name': 'redis', 'db.operation.name': 'GET' },
    }),
    span({
      name: `chat ${turn[0]!.model}`,
      service: 'agent-worker',
      traceId,
      parent: agent,
      startMs: startMs + 40,
      durationMs: 820,
      kind: SpanKind.CLIENT,
      attributes: rawCallAttributes(turn[0]!, { id: ids[0], run, step: `${run}-step-1`, ttftS: 0.31 }),
    }),
    span({
      spanId: tool,
      name: 'tool getWeather',
      service: 'agent-worker',
      traceId,
      parent: agent,
      startMs: startMs + 870,
      durationMs: 540,
      attributes: { 'gen_ai.tool.name': 'getWeather' },
    }),
    span({
      spanId: backend,
      name: 'GET /forecast',
      service: 'weather-service',
      traceId,
      parent: tool,
      startMs: startMs + 890,
      durationMs: 500,
      kind: SpanKind.SERVER,
      attributes: { 'http.route': '/forecast', 'url.query': 'city=Paris' },
    }),
    span({
      name: 'SELECT forecasts',
      service: 'weather-service',
      traceId,
      parent: backend,
      startMs: startMs + 900,
      durationMs: 120,
      kind: SpanKind.CLIENT,
      attributes: { 'db.system.name': 'postgresql', 'db.query.text': 'SELECT * FROM forecasts WHERE city = $1' },
    }),
    span({
      name: `chat ${turn[1]!.model}`,
      service: 'agent-worker',
      traceId,
      parent: agent,
      startMs: startMs + 1420,
      durationMs: 930,
      kind: SpanKind.CLIENT,
      attributes: rawCallAttributes(turn[1]!, { id: ids[1], run, step: `${run}-step-2`, ttftS: 0.42 }),
      events: [{ name: 'gen_ai.choice', time: hr(startMs + 2340), attributes: { index: 0, finish_reason: 'stop' } }],
    }),
  ];
}

/** Captured spans moved so that they end `agoMs` before now, ids kept. */
function capturedAt(path: string, endMs: number): ReadableSpan[] {
  const fixture = loadFixture(path);
  const ends = fixture.raw.map((s) => s.endTime[0] * 1000 + s.endTime[1] / 1e6);
  const shift = endMs - Math.max(...ends);
  return fixture.raw.map((s) => {
    const move = (t: HrTime): HrTime => hr(t[0] * 1000 + t[1] / 1e6 + shift);
    return toReadableSpan({
      ...s,
      startTime: move(s.startTime),
      endTime: move(s.endTime),
      events: s.events.map((e) => ({ ...e, time: move(e.time) })),
    });
  });
}

/** A long agent loop: each step sends the whole history, more of it cached, so its context grows. */
function longRun(base: { request: string; response: string }, startMs: number): ReadableSpan[] {
  const traceId = hex(16);
  const root = hex(8);
  const spans = [
    span({
      spanId: root,
      name: 'agent.run',
      service: 'agent-worker',
      traceId,
      startMs,
      durationMs: LONG_RUN_STEPS * 1500,
      attributes: { 'llm_traces.run_id': RUNS.long },
    }),
  ];
  const request = JSON.parse(base.request) as { messages: unknown[] };
  for (let step = 0; step < LONG_RUN_STEPS; step += 1) {
    const prompt = 2000 + step * 1800;
    const cached = step === 0 ? 0 : 2000 + (step - 1) * 1800;
    const response = JSON.parse(base.response) as Record<string, unknown>;
    response['usage'] = {
      prompt_tokens: prompt,
      completion_tokens: 150 + step * 10,
      total_tokens: prompt + 150 + step * 10,
      prompt_tokens_details: { cached_tokens: cached },
    };
    request.messages.push({ role: 'user', content: `Step ${step + 1}: check the next city.` });
    spans.push(
      span({
        name: 'chat gpt-4o-mini',
        service: 'agent-worker',
        traceId,
        parent: root,
        startMs: startMs + step * 1500,
        durationMs: 1200 + step * 40,
        kind: SpanKind.CLIENT,
        attributes: rawCallAttributes(
          { api: 'openai.chat', request: JSON.stringify(request), response: JSON.stringify(response) },
          { id: `call-long-${step + 1}`, run: RUNS.long, step: `step-${step + 1}`, agent: 'research-bot', ttftS: 0.2 + step * 0.01 },
        ),
      }),
    );
  }
  return spans;
}

/** 1,200 spans: a batch job fanning out to shards, each with a few steps; one LLM call among them. */
function wideTrace(traceId: string, startMs: number, llm: { request: string; response: string }): ReadableSpan[] {
  const root = hex(8);
  const spans = [span({ spanId: root, name: 'batch.run', service: 'batch', traceId, startMs, durationMs: 60_000 })];
  // The root and the LLM call, and shards of six spans up to the count.
  let n = 2;
  for (let shard = 0; n < WIDE_TRACE_SPANS; shard += 1) {
    const shardId = hex(8);
    spans.push(
      span({
        spanId: shardId,
        name: `shard ${shard}`,
        service: 'batch',
        traceId,
        parent: root,
        startMs: startMs + shard * 180,
        durationMs: 2000,
      }),
    );
    n += 1;
    for (let step = 0; step < 5 && n < WIDE_TRACE_SPANS; step += 1, n += 1) {
      spans.push(
        span({
          name: step === 4 ? 'write results' : `process item ${step}`,
          service: step === 4 ? 'storage' : 'batch',
          traceId,
          parent: shardId,
          startMs: startMs + shard * 180 + step * 350,
          durationMs: 300,
          kind: step === 4 ? SpanKind.CLIENT : SpanKind.INTERNAL,
        }),
      );
    }
  }
  spans.push(
    span({
      name: 'chat gpt-4o-mini',
      service: 'batch',
      traceId,
      parent: root,
      startMs: startMs + 59_000,
      durationMs: 900,
      kind: SpanKind.CLIENT,
      attributes: rawCallAttributes(
        { api: 'openai.chat', ...llm },
        { id: 'call-batch-summary', run: 'run-batch-0005', step: 'summary', agent: 'batch-summarizer' },
      ),
    }),
  );
  return spans;
}

/** Writes the viewer store through `serve` at `endpoint` with the exporter, and says what it wrote. */
export async function fillViewerStore(endpoint: string, now = Date.now()): Promise<ViewerStore> {
  const fake = await startFakeProvider();
  const turns = new Map<string, RawExchange[]>();
  try {
    for (const api of RAW_APIS) turns.set(api, await toolTurn(fake, api));
  } finally {
    await fake.close();
  }
  const chat = turns.get('openai.chat')!;
  const hour = 3_600_000;
  const traceId = hex(16);
  const anthropicTraceId = hex(16);
  const wideTraceId = hex(16);
  const bigText =
    `Summarize this log:\n${'2026-11-20T10:00:00Z INFO request served in 12 ms\n'.repeat(Math.ceil(BIG_REQUEST_BYTES / 48))}`.slice(
      0,
      BIG_REQUEST_BYTES - 200,
    );
  const bigRequest = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You summarize logs.' },
      { role: 'user', content: bigText },
    ],
  });
  const unpricedRequest = JSON.stringify({
    model: UNPRICED_MODEL,
    messages: [{ role: 'user', content: 'Hello from a model without a price.' }],
  });
  const unpricedResponse = chat[1]!.response.replace('gpt-4o-mini-2025-01-01', UNPRICED_MODEL);
  const spans: ReadableSpan[] = [
    ...agentTrace(chat, [IDS.chatToolCall, IDS.chatToolResult], RUNS.chat, now - 10 * 60_000, traceId),
    ...agentTrace(
      turns.get('anthropic.messages')!,
      [IDS.anthropicToolCall, IDS.anthropicToolResult],
      RUNS.anthropic,
      now - 2 * hour,
      anthropicTraceId,
    ),
    ...agentTrace(turns.get('openai.responses')!, [IDS.responsesToolCall, IDS.responsesToolResult], RUNS.responses, now - 5 * hour),
    ...longRun(chat[1]!, now - 3 * hour),
    ...wideTrace(wideTraceId, now - 6 * hour, chat[1]!),
    span({
      name: 'chat gpt-4o-mini',
      service: 'log-summarizer',
      traceId: hex(16),
      startMs: now - 4 * hour,
      durationMs: 5200,
      kind: SpanKind.CLIENT,
      attributes: rawCallAttributes(
        { api: 'openai.chat', request: bigRequest, response: chat[1]!.response },
        { id: IDS.bigRequest, run: 'run-logs-0006', step: 'summarize', agent: 'log-summarizer' },
      ),
    }),
    span({
      name: `chat ${UNPRICED_MODEL}`,
      service: 'agent-worker',
      traceId: hex(16),
      startMs: now - 7 * hour,
      durationMs: 640,
      kind: SpanKind.CLIENT,
      attributes: rawCallAttributes(
        { api: 'openai.chat', request: unpricedRequest, response: unpricedResponse },
        { id: IDS.unpriced, run: 'run-misc-0007', step: 'hello', agent: 'experiments' },
      ),
    }),
    ...capturedAt('openinference-openai@4/openai6-chat-tool-call', now - 30 * 60_000),
    ...capturedAt('anthropic-sdk@1/messages-tool-use', now - 90 * 60_000),
    ...capturedAt('ai@6/tool-call-anthropic', now - 8 * hour),
    ...capturedAt('ai@6/error-429-openai-chat', now - 50 * 60_000),
    ...capturedAt('ai@5/error-429-openai-chat', now - 3.5 * hour),
    ...capturedAt('anthropic-sdk@1/error-429', now - 9 * hour),
  ];
  await exportSpans(endpoint, spans);
  return { traceId, wideTraceId, anthropicTraceId, spans: spans.length };
}

async function exportSpans(endpoint: string, spans: ReadableSpan[]): Promise<void> {
  const exporter = new ClickHouseTraceExporter({ endpoint });
  try {
    const result = await new Promise<{ code: ExportResultCode; error?: Error }>((resolve) => exporter.export(spans, resolve));
    if (result.code !== ExportResultCode.SUCCESS) throw result.error ?? new Error('export into the viewer store failed');
    await exporter.forceFlush();
  } finally {
    await exporter.shutdown();
  }
}

/** One OpenAI Chat call ending now: what an app sends while the Calls page is open. */
export async function exportLiveCall(endpoint: string, id: string, model = 'gpt-4o-mini-2025-01-01'): Promise<void> {
  const request = JSON.stringify({ model, messages: [{ role: 'user', content: `live ${id}` }] });
  const response = JSON.stringify({
    id: `chatcmpl-${id}`,
    object: 'chat.completion',
    model,
    choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 12, completion_tokens: 1, total_tokens: 13 },
  });
  const attributes = rawCallAttributes({ api: 'openai.chat', request, response }, { id, run: 'run-live', step: id, agent: 'live-bot' });
  await exportSpans(endpoint, [
    span({
      name: 'chat gpt-4o-mini',
      service: 'agent-worker',
      traceId: hex(16),
      startMs: Date.now() - 400,
      durationMs: 300,
      kind: SpanKind.CLIENT,
      attributes,
    }),
  ]);
}
