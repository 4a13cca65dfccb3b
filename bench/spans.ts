/**
 * The benchmark's span mix, generated from a seed: ordinary HTTP server, HTTP client, database
 * and internal spans, and (in the mixed stream) about 10% LLM calls from multi-turn agent
 * conversations. A conversation resends its system prompt, tool definitions and whole history on
 * every turn, so payloads grow turn by turn from about 1 KB to about 200 KB, as they do in real
 * apps. About three quarters of the calls carry OTel GenAI attributes (`gen_ai.input.messages`,
 * `gen_ai.output.messages`, `gen_ai.system_instructions`, `gen_ai.tool.definitions`), the rest raw
 * OpenAI request/response JSON in `llm_traces.request_json` / `response_json`.
 */
import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
  type Attributes,
  type HrTime,
  type SpanStatus,
  type Tracer,
} from '@opentelemetry/api';
import { resourceFromAttributes, type Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { seededRandom, textSource, type Random, type TextSource } from './random.js';

export type StreamKind = 'mixed' | 'plain';

export interface GeneratedSpan {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId: string | undefined;
  /** Milliseconds since the epoch. */
  startMs: number;
  durationMs: number;
  status: SpanStatus;
  attributes: Attributes;
  events: SpanEvent[];
  llm: boolean;
  /** UTF-8 bytes of the span's name, attribute keys and values: what the app hands over. */
  bytes: number;
}

export interface SpanEvent {
  name: string;
  attributes: Attributes;
}

const SERVICE_RESOURCE: Attributes = {
  'service.name': 'agent-api',
  'service.version': '2.14.1',
  'service.instance.id': 'b1e4c0de-7f3a-4d2e-9a51-0c6f2d8e4a17',
  'deployment.environment.name': 'production',
  'host.name': 'ip-10-0-12-34.ec2.internal',
  'process.pid': 4711,
  'process.runtime.name': 'nodejs',
  'process.runtime.version': '20.20.2',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.version': '2.12.0',
};

const LLM_SHARE = 0.1;
/** Spans per trace, inclusive: the root and its children. */
const TRACE_SPANS = [4, 13] as const;
const MEAN_TRACE_SPANS = (TRACE_SPANS[0] + TRACE_SPANS[1]) / 2;
const LLM_SHARE_OF_CHILDREN = (LLM_SHARE * MEAN_TRACE_SPANS) / (MEAN_TRACE_SPANS - 1);
/** 2026-01-15T00:00:00Z: spans of a stream start here, 0.2 ms apart. */
const STREAM_START_MS = Date.UTC(2026, 0, 15);

export interface StreamSummary {
  spans: number;
  llmSpans: number;
  bytes: number;
  /** LLM payload bytes (messages, system prompt, tools, raw JSON) per LLM span. */
  payloadBytes: { min: number; median: number; p90: number; max: number; mean: number };
}

/** `count` spans of the given stream; the same seed always gives the same spans. */
export function generateSpans(count: number, kind: StreamKind, seed: number): GeneratedSpan[] {
  const random = seededRandom(seed);
  const text = textSource(random);
  const conversations = new ConversationPool(random, text);
  const spans: GeneratedSpan[] = [];
  let traceId = '';
  let rootSpanId: string | undefined;
  let left = 0;
  for (let i = 0; i < count; i++) {
    if (left-- <= 0) {
      traceId = random.hex(32);
      rootSpanId = undefined;
      left = random.int(TRACE_SPANS[0], TRACE_SPANS[1]) - 1;
    }
    const spanId = random.hex(16);
    // The root is the request's server span; LLM calls are its children, never nested in each other.
    const root = rootSpanId === undefined;
    const content =
      kind === 'mixed' && !root && random.chance(LLM_SHARE_OF_CHILDREN) ? conversations.nextCall() : plainSpan(random, text, root);
    spans.push({
      ...content,
      traceId,
      spanId,
      parentSpanId: rootSpanId,
      startMs: STREAM_START_MS + i * 0.2,
      bytes: byteSize(content.name, content.attributes),
    });
    rootSpanId ??= spanId;
  }
  return spans;
}

export function summarize(spans: readonly GeneratedSpan[]): StreamSummary {
  const payloads = spans
    .filter((s) => s.llm)
    .map((s) => payloadBytes(s.attributes))
    .sort((a, b) => a - b);
  const at = (q: number): number => payloads[Math.min(payloads.length - 1, Math.floor(q * payloads.length))] ?? 0;
  return {
    spans: spans.length,
    llmSpans: payloads.length,
    bytes: spans.reduce((sum, s) => sum + s.bytes, 0),
    payloadBytes: {
      min: payloads[0] ?? 0,
      median: at(0.5),
      p90: at(0.9),
      max: payloads[payloads.length - 1] ?? 0,
      mean: payloads.length === 0 ? 0 : Math.round(payloads.reduce((a, b) => a + b, 0) / payloads.length),
    },
  };
}

/** One resource object for every span, as a tracer provider has. */
export const benchResource: Resource = resourceFromAttributes(SERVICE_RESOURCE);
const SCOPE = { name: 'llm-traces-bench', version: '1.0.0' };

/** The span as a finished SDK span literal (what a span processor hands to `export`). */
export function toReadableSpan(span: GeneratedSpan): ReadableSpan {
  const startTime = msToHrTime(span.startMs);
  const endTime = msToHrTime(span.startMs + span.durationMs);
  const spanContext = { traceId: span.traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => spanContext,
    parentSpanContext: span.parentSpanId ? { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: TraceFlags.SAMPLED } : undefined,
    startTime,
    endTime,
    duration: msToHrTime(span.durationMs),
    status: span.status,
    attributes: span.attributes,
    links: [],
    events: span.events.map((event) => ({ ...event, time: startTime, droppedAttributesCount: 0 })),
    ended: true,
    resource: benchResource,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}

/** Starts and ends the span through a real tracer, as instrumented app code does. */
export function emitSpan(tracer: Tracer, span: GeneratedSpan): void {
  const parent = span.parentSpanId
    ? trace.setSpanContext(ROOT_CONTEXT, {
        traceId: span.traceId,
        spanId: span.parentSpanId,
        traceFlags: TraceFlags.SAMPLED,
        isRemote: false,
      })
    : ROOT_CONTEXT;
  const live = tracer.startSpan(span.name, { kind: span.kind, attributes: span.attributes }, parent);
  for (const event of span.events) live.addEvent(event.name, event.attributes);
  if (span.status.code !== SpanStatusCode.UNSET) live.setStatus(span.status);
  live.end();
}

function msToHrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

function byteSize(name: string, attributes: Attributes): number {
  let bytes = Buffer.byteLength(name);
  for (const key in attributes) {
    const value = attributes[key];
    bytes +=
      Buffer.byteLength(key) +
      (typeof value === 'string' ? Buffer.byteLength(value) : Array.isArray(value) ? Buffer.byteLength(JSON.stringify(value)) : 8);
  }
  return bytes;
}

const PAYLOAD_KEYS = [
  'gen_ai.input.messages',
  'gen_ai.output.messages',
  'gen_ai.system_instructions',
  'gen_ai.tool.definitions',
  'llm_traces.request_json',
  'llm_traces.response_json',
  'llm_traces.llm_config_json',
];

function payloadBytes(attributes: Attributes): number {
  let bytes = 0;
  for (const key of PAYLOAD_KEYS) {
    const value = attributes[key];
    if (typeof value === 'string') bytes += Buffer.byteLength(value);
  }
  return bytes;
}

type SpanContent = Pick<GeneratedSpan, 'name' | 'kind' | 'durationMs' | 'status' | 'attributes' | 'events' | 'llm'>;

const OK: SpanStatus = { code: SpanStatusCode.UNSET };
const ROUTES = [
  '/v1/agents/:agentId/messages',
  '/v1/agents/:agentId',
  '/v1/runs/:runId',
  '/v1/tools',
  '/v1/users/:userId/sessions',
  '/healthz',
  '/v1/files/:fileId',
];
const HOSTS = [
  'api.stripe.com',
  'hooks.slack.com',
  'search.internal.svc.cluster.local',
  'auth.internal.svc.cluster.local',
  'storage.googleapis.com',
];
const TABLES = ['agents', 'messages', 'runs', 'steps', 'users', 'organizations', 'tool_calls', 'files', 'sessions', 'api_keys'];
const COLUMNS = [
  'id',
  'organization_id',
  'agent_id',
  'created_at',
  'updated_at',
  'name',
  'status',
  'content',
  'metadata',
  'user_id',
  'role',
];
const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'python-requests/2.32.3',
  'node-fetch/3.3.2 (+https://github.com/node-fetch/node-fetch)',
  'letta-client/0.1.180 Python/3.12.4',
];

function plainSpan(random: Random, text: TextSource, root: boolean): SpanContent {
  const roll = random.next();
  const failed = random.chance(0.02);
  if (root || roll < 0.25) return httpServerSpan(random, text, failed);
  if (roll < 0.5) return httpClientSpan(random, text, failed);
  if (roll < 0.9) return dbSpan(random, text, failed);
  return {
    name: random.pick(['compileContext', 'summarizeMemory', 'renderTemplate', 'validateSchema']),
    kind: SpanKind.INTERNAL,
    durationMs: random.logUniform(1, 50),
    status: OK,
    attributes: {
      'code.function.name': random.pick(['compile', 'render', 'validate']),
      'code.file.path': 'src/agent/context.ts',
      'app.items': random.int(1, 400),
    },
    events: [],
    llm: false,
  };
}

function httpServerSpan(random: Random, text: TextSource, failed: boolean): SpanContent {
  const route = random.pick(ROUTES);
  const method = random.pick(['GET', 'GET', 'GET', 'POST', 'PATCH', 'DELETE']);
  const status = failed ? random.pick([500, 502, 503]) : random.pick([200, 200, 200, 201, 204, 404]);
  return {
    name: `${method} ${route}`,
    kind: SpanKind.SERVER,
    durationMs: random.logUniform(2, 3000),
    status: failed ? { code: SpanStatusCode.ERROR, message: `${status}` } : OK,
    attributes: {
      'http.request.method': method,
      'http.route': route,
      'url.path': route.replace(/:(\w+)/g, () => `${random.hex(8)}-${random.hex(4)}-${random.hex(4)}`),
      'url.scheme': 'https',
      'http.response.status_code': status,
      'server.address': 'api.example.com',
      'server.port': 443,
      'network.protocol.version': '1.1',
      'client.address': `10.0.${random.int(0, 255)}.${random.int(1, 254)}`,
      'user_agent.original': random.pick(USER_AGENTS),
    },
    events: failed ? [exceptionEvent(random, text)] : [],
    llm: false,
  };
}

function httpClientSpan(random: Random, text: TextSource, failed: boolean): SpanContent {
  const host = random.pick(HOSTS);
  const method = random.pick(['GET', 'POST']);
  const status = failed ? random.pick([429, 500, 503]) : 200;
  return {
    name: method,
    kind: SpanKind.CLIENT,
    durationMs: random.logUniform(5, 2000),
    status: failed ? { code: SpanStatusCode.ERROR } : OK,
    attributes: {
      'http.request.method': method,
      'url.full': `https://${host}/v2/${text.word()}/${random.hex(12)}?limit=${random.int(1, 100)}&cursor=${random.hex(16)}`,
      'server.address': host,
      'server.port': 443,
      'http.response.status_code': status,
      'network.peer.address': `172.16.${random.int(0, 255)}.${random.int(1, 254)}`,
    },
    events: failed ? [exceptionEvent(random, text)] : [],
    llm: false,
  };
}

function dbSpan(random: Random, text: TextSource, failed: boolean): SpanContent {
  const table = random.pick(TABLES);
  const operation = random.pick(['SELECT', 'SELECT', 'SELECT', 'INSERT', 'UPDATE']);
  const columns = Array.from({ length: random.int(2, 9) }, () => random.pick(COLUMNS)).join(', ');
  const query =
    operation === 'SELECT'
      ? `SELECT ${columns} FROM ${table} WHERE organization_id = $1 AND ${random.pick(COLUMNS)} = $2${random.chance(0.5) ? ` AND created_at > $3 ORDER BY created_at DESC LIMIT ${random.int(1, 200)}` : ''}`
      : operation === 'INSERT'
        ? `INSERT INTO ${table} (${columns}) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET updated_at = now()`
        : `UPDATE ${table} SET ${random.pick(COLUMNS)} = $1, updated_at = now() WHERE id = $2 AND organization_id = $3`;
  return {
    name: `${operation} ${table}`,
    kind: SpanKind.CLIENT,
    durationMs: random.logUniform(1, 400),
    status: failed ? { code: SpanStatusCode.ERROR, message: 'canceling statement due to statement timeout' } : OK,
    attributes: {
      'db.system.name': 'postgresql',
      'db.namespace': 'agents_prod',
      'db.collection.name': table,
      'db.operation.name': operation,
      'db.query.text': query,
      'server.address': 'pg-primary.internal',
      'server.port': 5432,
    },
    events: failed ? [exceptionEvent(random, text)] : [],
    llm: false,
  };
}

function exceptionEvent(random: Random, text: TextSource): SpanEvent {
  const frames = Array.from(
    { length: random.int(6, 18) },
    () => `    at ${text.word()}${text.word()} (/app/dist/${text.word()}/${text.word()}.js:${random.int(1, 900)}:${random.int(1, 80)})`,
  );
  return {
    name: 'exception',
    attributes: {
      'exception.type': random.pick(['Error', 'TypeError', 'DatabaseError', 'FetchError']),
      'exception.message': text.prose(random.int(30, 160)),
      'exception.stacktrace': `Error: ${text.prose(40)}\n${frames.join('\n')}`,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// LLM calls

interface Tool {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

type Message =
  | { role: 'user' | 'assistant'; text: string }
  | { role: 'assistant'; toolCall: { id: string; name: string; arguments: Record<string, unknown> } }
  | { role: 'tool'; toolCallId: string; text: string };

interface Conversation {
  style: 'genai' | 'raw';
  provider: string;
  model: string;
  organizationId: string;
  projectId: string;
  agentId: string;
  runId: string;
  system: string;
  tools: Tool[];
  history: Message[];
  historyChars: number;
  limitChars: number;
  step: number;
}

const MODELS: ReadonlyArray<[provider: string, model: string]> = [
  ['openai', 'gpt-4o-2024-08-06'],
  ['openai', 'gpt-4.1-mini'],
  ['openai', 'o3-mini'],
  ['anthropic', 'claude-sonnet-4-20250514'],
  ['anthropic', 'claude-3-5-haiku-20241022'],
  ['gcp.gemini', 'gemini-2.5-flash'],
  ['aws.bedrock', 'anthropic.claude-3-5-sonnet-20241022-v2:0'],
];
const ACTIVE_CONVERSATIONS = 16;
const MAX_PAYLOAD_CHARS = 200_000;

class ConversationPool {
  private readonly active: Conversation[] = [];
  private started = 0;

  constructor(
    private readonly random: Random,
    private readonly text: TextSource,
  ) {}

  nextCall(): SpanContent {
    while (this.active.length < ACTIVE_CONVERSATIONS) this.active.push(this.startConversation());
    const index = this.random.int(0, this.active.length - 1);
    const conversation = this.active[index]!;
    const call = this.takeTurn(conversation);
    if (conversation.historyChars >= conversation.limitChars) this.active.splice(index, 1);
    return call;
  }

  private startConversation(): Conversation {
    const random = this.random;
    const [provider, model] = random.pick(MODELS);
    const agent = random.int(0, 99);
    this.started++;
    return {
      style: provider === 'openai' && random.chance(0.6) ? 'raw' : 'genai',
      provider,
      model,
      organizationId: `org-${agent % 3}`,
      projectId: `project-${agent % 7}`,
      agentId: `agent-${agent}`,
      runId: `run-${random.hex(8)}-${this.started}`,
      system: this.text.prose(random.logUniform(300, 8000)),
      tools: Array.from({ length: random.chance(0.7) ? random.int(1, 10) : 0 }, () => this.tool()),
      history: [],
      historyChars: 0,
      limitChars: random.logUniform(1000, MAX_PAYLOAD_CHARS),
      step: 0,
    };
  }

  private tool(): Tool {
    const properties: Record<string, unknown> = {};
    for (let i = this.random.int(1, 6); i > 0; i--) {
      properties[`${this.text.word()}_${this.text.word()}`] = {
        type: this.random.pick(['string', 'integer', 'boolean']),
        description: this.text.prose(this.random.int(20, 120)),
      };
    }
    return {
      name: `${this.text.word()}_${this.text.word()}`,
      description: this.text.prose(this.random.int(60, 500)),
      parameters: { type: 'object', properties, required: Object.keys(properties).slice(0, 1) },
    };
  }

  private takeTurn(c: Conversation): SpanContent {
    const random = this.random;
    const last = c.history[c.history.length - 1];
    if (last && 'toolCall' in last) {
      // Tool output: search hits, file excerpts, API responses.
      this.append(c, { role: 'tool', toolCallId: last.toolCall.id, text: this.toolOutput(random.logUniform(200, 20_000)) });
    } else {
      const pasted = random.chance(0.05) ? `\n\n${this.text.prose(random.logUniform(2000, 30_000))}` : '';
      this.append(c, { role: 'user', text: this.text.prose(random.logUniform(40, 1500)) + pasted });
    }
    const output: Message =
      c.tools.length > 0 && random.chance(0.35)
        ? {
            role: 'assistant',
            toolCall: {
              id: `call_${random.hex(24)}`,
              name: random.pick(c.tools).name,
              arguments: { query: this.text.prose(random.int(10, 120)), limit: random.int(1, 20) },
            },
          }
        : { role: 'assistant', text: this.text.prose(random.logUniform(100, 3000)) };
    const finishReason = 'toolCall' in output ? 'tool_calls' : 'stop';
    const attributes =
      c.style === 'raw' ? rawAttributes(c, output, finishReason, random) : genAiAttributes(c, output, finishReason, random);
    Object.assign(attributes, {
      'llm_traces.organization_id': c.organizationId,
      'llm_traces.project_id': c.projectId,
      'llm_traces.agent_id': c.agentId,
      'llm_traces.run_id': c.runId,
      'llm_traces.step_id': `step-${random.hex(8)}-${c.step}`,
    });
    c.step++;
    this.append(c, output);
    return {
      name: c.style === 'raw' ? 'llm.request' : `chat ${c.model}`,
      kind: SpanKind.CLIENT,
      durationMs: random.logUniform(300, 30_000),
      status: OK,
      attributes,
      events: [],
      llm: true,
    };
  }

  private toolOutput(chars: number): string {
    if (this.random.chance(0.5)) return this.text.prose(chars);
    const records: unknown[] = [];
    let size = 0;
    while (size < chars) {
      const record = {
        id: this.random.int(1, 1e6),
        title: this.text.prose(this.random.int(20, 80)),
        url: `https://docs.example.com/${this.text.word()}/${this.text.word()}`,
        snippet: this.text.prose(this.random.int(80, 400)),
      };
      records.push(record);
      size += 120 + record.title.length + record.snippet.length;
    }
    return JSON.stringify({ results: records });
  }

  private append(c: Conversation, message: Message): void {
    c.history.push(message);
    c.historyChars += 'text' in message ? message.text.length : JSON.stringify(message.toolCall.arguments).length + 60;
  }
}

function usage(c: Conversation, random: Random, inputChars: number, output: Message) {
  const promptTokens = Math.ceil(inputChars / 4);
  const completionTokens = Math.ceil(('text' in output ? output.text.length : 200) / 4);
  const cachedTokens = c.step > 0 && random.chance(0.7) ? Math.floor(promptTokens * 0.8) : 0;
  return { promptTokens, completionTokens, cachedTokens };
}

function genAiPart(message: Message): unknown {
  if ('toolCall' in message)
    return { type: 'tool_call', id: message.toolCall.id, name: message.toolCall.name, arguments: message.toolCall.arguments };
  if (message.role === 'tool') return { type: 'tool_call_response', id: message.toolCallId, response: message.text };
  return { type: 'text', content: message.text };
}

function genAiAttributes(c: Conversation, output: Message, finishReason: string, random: Random): Attributes {
  const input = JSON.stringify(c.history.map((m) => ({ role: m.role, parts: [genAiPart(m)] })));
  const system = JSON.stringify([{ type: 'text', content: c.system }]);
  const tools = c.tools.length > 0 ? JSON.stringify(c.tools.map((t) => ({ type: 'function', ...t }))) : undefined;
  const tokens = usage(c, random, input.length + system.length + (tools?.length ?? 0), output);
  const attributes: Attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': c.provider,
    'gen_ai.request.model': c.model,
    'gen_ai.request.temperature': 0.7,
    'gen_ai.request.max_tokens': 4096,
    'gen_ai.response.model': c.model,
    'gen_ai.response.id': `resp_${random.hex(24)}`,
    'gen_ai.response.finish_reasons': [finishReason],
    'gen_ai.usage.input_tokens': tokens.promptTokens,
    'gen_ai.usage.output_tokens': tokens.completionTokens,
    'gen_ai.conversation.id': c.runId,
    'gen_ai.input.messages': input,
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [genAiPart(output)], finish_reason: finishReason }]),
    'gen_ai.system_instructions': system,
  };
  if (tokens.cachedTokens > 0) attributes['gen_ai.usage.cache_read.input_tokens'] = tokens.cachedTokens;
  if (tools) attributes['gen_ai.tool.definitions'] = tools;
  return attributes;
}

function openAiMessage(message: Message): unknown {
  if ('toolCall' in message) {
    const call = message.toolCall;
    return {
      role: 'assistant',
      content: null,
      tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.arguments) } }],
    };
  }
  if (message.role === 'tool') return { role: 'tool', tool_call_id: message.toolCallId, content: message.text };
  return { role: message.role, content: message.text };
}

function rawAttributes(c: Conversation, output: Message, finishReason: string, random: Random): Attributes {
  const request = JSON.stringify({
    model: c.model,
    messages: [{ role: 'system', content: c.system }, ...c.history.map(openAiMessage)],
    ...(c.tools.length > 0 ? { tools: c.tools.map((t) => ({ type: 'function', function: t })) } : {}),
    temperature: 0.7,
    max_completion_tokens: 4096,
  });
  const tokens = usage(c, random, request.length, output);
  const response = JSON.stringify({
    id: `chatcmpl-${random.hex(29)}`,
    object: 'chat.completion',
    created: 1_768_435_200 + c.step,
    model: c.model,
    choices: [{ index: 0, message: openAiMessage(output), logprobs: null, finish_reason: finishReason }],
    usage: {
      prompt_tokens: tokens.promptTokens,
      completion_tokens: tokens.completionTokens,
      total_tokens: tokens.promptTokens + tokens.completionTokens,
      prompt_tokens_details: { cached_tokens: tokens.cachedTokens, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    },
    system_fingerprint: 'fp_6b68a8204b',
  });
  return {
    'llm_traces.call_type': 'agent_step',
    'llm_traces.request_json': request,
    'llm_traces.response_json': response,
    'llm_traces.llm_config_json': JSON.stringify({
      model: c.model,
      model_endpoint_type: 'openai',
      context_window: 128_000,
      temperature: 0.7,
    }),
  };
}
