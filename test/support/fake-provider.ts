/**
 * A loopback fake LLM provider for integration tests: real SDKs and instrumentations talk to it
 * over HTTP on 127.0.0.1, and it answers with bodies shaped like the real APIs'.
 *
 * Endpoints (matched on the path's suffix, so `${url}/v1` works as an SDK base URL):
 * - `POST …/chat/completions`  OpenAI Chat Completions, JSON or SSE (`stream: true`; the final
 *   usage chunk only when `stream_options.include_usage` is true, as the real API does).
 * - `POST …/responses`         OpenAI Responses, JSON or SSE events (`response.created` … `response.completed`).
 * - `POST …/embeddings`        OpenAI embeddings (`encoding_format: "base64"` honoured: the openai
 *   SDK asks for base64 by default).
 * - `POST …/messages`          Anthropic Messages, JSON or SSE (`message_start`, `content_block_*`,
 *   `ping`, `message_delta`, `message_stop`).
 * - `POST …/model/{id}/converse` AWS Bedrock Converse (JSON only; ConverseStream is not served).
 *
 * Scenario selection, first rule that applies:
 * 1. header `x-fake-scenario: <scenario>` (any value of `FakeScenario`);
 * 2. model `fake-error-400|401|429|500` → that error, in the provider's own error body shape;
 * 3. the last message is a tool result → `tool-result` (a final text answer);
 * 4. the request offers tools → `tool-call` (calls the first tool with `{"city":"Paris"}`);
 * 5. Anthropic `thinking: { type: "enabled" }` (or a model name containing `thinking`) → `thinking`;
 * 6. otherwise `text`.
 *
 * Token numbers are fixed per API and scenario (`FAKE_USAGE`), distinct, and always report cache
 * and reasoning details, so a test can tell inclusive from exclusive semantics: OpenAI's
 * `prompt_tokens`/`input_tokens` include cached tokens and completion/output include reasoning;
 * Anthropic's and Bedrock's `input_tokens` exclude cache reads and writes.
 *
 * Response models differ from request models (OpenAI appends `-2025-01-01`, Anthropic `-20250101`)
 * so request and response model can be told apart. Streams pause briefly before the first event
 * and between events, so time-to-first-chunk is measurable and non-zero.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export type FakeApi = 'openai.chat' | 'openai.responses' | 'openai.embeddings' | 'anthropic.messages' | 'bedrock.converse';

export type FakeErrorScenario = 'error-400' | 'error-401' | 'error-429' | 'error-500';
export type FakeScenario = 'text' | 'tool-call' | 'tool-result' | 'thinking' | FakeErrorScenario;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
  api: FakeApi | undefined;
  scenario: FakeScenario | undefined;
  stream: boolean;
  status: number;
  /** The usage object exactly as sent (the final one, for streams); `null` for errors. */
  usage: Record<string, unknown> | null;
}

export interface FakeProvider {
  /** Base URL without a path, e.g. `http://127.0.0.1:41234`. */
  url: string;
  close(): Promise<void>;
  /** Every request served, in arrival order. */
  requests: RecordedRequest[];
}

export const FAKE_TOOL_ARGUMENTS = { city: 'Paris' } as const;
export const FAKE_TEXT = 'Hello from the fake provider.';
export const FAKE_TOOL_RESULT_TEXT = 'It is sunny in Paris.';
export const FAKE_THINKING = 'The user wants a greeting; answer briefly.';

const openAiChatUsage = (prompt: number, cached: number, completion: number, reasoning: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
  prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
  completion_tokens_details: {
    reasoning_tokens: reasoning,
    audio_tokens: 0,
    accepted_prediction_tokens: 0,
    rejected_prediction_tokens: 0,
  },
});

const openAiResponsesUsage = (input: number, cached: number, output: number, reasoning: number) => ({
  input_tokens: input,
  input_tokens_details: { cached_tokens: cached },
  output_tokens: output,
  output_tokens_details: { reasoning_tokens: reasoning },
  total_tokens: input + output,
});

const anthropicUsage = (input: number, cacheRead: number, cacheCreation: number, output: number, thinking?: number) => ({
  input_tokens: input,
  cache_creation_input_tokens: cacheCreation,
  cache_read_input_tokens: cacheRead,
  cache_creation: { ephemeral_5m_input_tokens: cacheCreation, ephemeral_1h_input_tokens: 0 },
  output_tokens: output,
  ...(thinking === undefined ? {} : { output_tokens_details: { thinking_tokens: thinking } }),
  service_tier: 'standard',
});

const bedrockUsage = (input: number, cacheRead: number, cacheWrite: number, output: number) => ({
  inputTokens: input,
  outputTokens: output,
  totalTokens: input + cacheRead + cacheWrite + output,
  cacheReadInputTokens: cacheRead,
  cacheWriteInputTokens: cacheWrite,
});

/** The usage each API reports per non-error scenario (embeddings: per input, see `embeddingsUsage`). */
export const FAKE_USAGE = {
  'openai.chat': {
    text: openAiChatUsage(1200, 1000, 300, 120),
    thinking: openAiChatUsage(1200, 1000, 300, 120),
    'tool-call': openAiChatUsage(1250, 1000, 45, 20),
    'tool-result': openAiChatUsage(1400, 1200, 60, 0),
  },
  'openai.responses': {
    text: openAiResponsesUsage(2200, 2000, 500, 200),
    thinking: openAiResponsesUsage(2200, 2000, 500, 200),
    'tool-call': openAiResponsesUsage(2250, 2000, 55, 25),
    'tool-result': openAiResponsesUsage(2400, 2200, 70, 0),
  },
  'anthropic.messages': {
    text: anthropicUsage(200, 1000, 300, 150),
    thinking: anthropicUsage(210, 1000, 300, 420, 300),
    'tool-call': anthropicUsage(220, 1000, 300, 60),
    'tool-result': anthropicUsage(260, 1300, 0, 80),
  },
  'bedrock.converse': {
    text: bedrockUsage(200, 1000, 300, 150),
    thinking: bedrockUsage(200, 1000, 300, 150),
    'tool-call': bedrockUsage(220, 1000, 300, 60),
    'tool-result': bedrockUsage(260, 1300, 0, 80),
  },
} as const;

/** Embedding usage: 7 tokens per input, so single and batch calls differ. */
export const FAKE_EMBEDDING_TOKENS_PER_INPUT = 7;
export const FAKE_EMBEDDING_DIMENSIONS = 4;

const FIRST_EVENT_DELAY_MS = 30;
const EVENT_GAP_MS = 3;
const CREATED = 1_735_689_600; // 2025-01-01T00:00:00Z: fixed so bodies are reproducible.

type Json = Record<string, unknown>;
type Usage = Record<string, unknown>;

interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A JSON body, or SSE events for a stream. */
  body?: Json;
  events?: SseEvent[];
  usage: Usage | null;
}

interface SseEvent {
  /** The SSE `event:` field; OpenAI Chat sends none. */
  event?: string;
  data: Json | '[DONE]';
}

interface Call {
  api: FakeApi;
  body: Json;
  model: string;
  scenario: FakeScenario;
  stream: boolean;
  /** Sequence for ids, so every response in one provider has distinct ids. */
  n: number;
}

const ERROR_STATUS: Record<FakeErrorScenario, number> = {
  'error-400': 400,
  'error-401': 401,
  'error-429': 429,
  'error-500': 500,
};

const SCENARIOS: readonly FakeScenario[] = [
  'text',
  'tool-call',
  'tool-result',
  'thinking',
  'error-400',
  'error-401',
  'error-429',
  'error-500',
];

export async function startFakeProvider(): Promise<FakeProvider> {
  const requests: RecordedRequest[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    handle(req, res, requests, ++n).catch((error: unknown) => {
      // A bug here must surface in the test, not hang it.
      if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
      res.end(`fake provider failed: ${String(error)}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, requests: RecordedRequest[], n: number): Promise<void> {
  const raw = await readBody(req);
  const body = parseJson(raw);
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const api = apiFor(path);
  const record: RecordedRequest = {
    method: req.method ?? 'GET',
    path,
    headers: req.headers,
    body: body ?? raw,
    api,
    scenario: undefined,
    stream: false,
    status: 404,
    usage: null,
  };
  requests.push(record);
  if (!api || req.method !== 'POST' || !body) {
    await send(res, {
      status: 404,
      body: openAiError('Unknown request URL: ' + path, 'invalid_request_error', null, 'unknown_url'),
      usage: null,
    });
    return;
  }
  const model = modelOf(api, body, path);
  const call: Call = { api, body, model, scenario: scenarioFor(api, body, model, req.headers), stream: body['stream'] === true, n };
  const reply = replyFor(call);
  Object.assign(record, { scenario: call.scenario, stream: call.stream && !!reply.events, status: reply.status, usage: reply.usage });
  await send(res, reply);
}

function apiFor(path: string): FakeApi | undefined {
  if (path.endsWith('/chat/completions')) return 'openai.chat';
  if (path.endsWith('/responses')) return 'openai.responses';
  if (path.endsWith('/embeddings')) return 'openai.embeddings';
  if (path.endsWith('/messages')) return 'anthropic.messages';
  if (/\/model\/[^/]+\/converse$/.test(path)) return 'bedrock.converse';
  return undefined;
}

function scenarioFor(api: FakeApi, body: Json, model: string, headers: IncomingHttpHeaders): FakeScenario {
  const header = headers['x-fake-scenario'];
  if (typeof header === 'string' && (SCENARIOS as readonly string[]).includes(header)) return header as FakeScenario;
  const error = /^fake-error-(400|401|429|500)$/.exec(model);
  if (error) return `error-${error[1]}` as FakeErrorScenario;
  if (api === 'openai.embeddings') return 'text';
  if (endsWithToolResult(api, body)) return 'tool-result';
  if (offersTools(api, body)) return 'tool-call';
  const thinking = body['thinking'] as Json | undefined;
  if (thinking?.['type'] === 'enabled' || model.includes('thinking')) return 'thinking';
  return 'text';
}

function modelOf(api: FakeApi, body: Json, path: string): string {
  // Bedrock names the model in the path: /model/{modelId}/converse.
  if (api === 'bedrock.converse') return decodeURIComponent(path.split('/').at(-2) ?? '');
  return typeof body['model'] === 'string' ? body['model'] : '';
}

function offersTools(api: FakeApi, body: Json): boolean {
  if (api === 'bedrock.converse') return Array.isArray((body['toolConfig'] as Json | undefined)?.['tools']);
  return Array.isArray(body['tools']) && body['tools'].length > 0;
}

function endsWithToolResult(api: FakeApi, body: Json): boolean {
  const list = (api === 'openai.responses' ? body['input'] : body['messages']) as unknown;
  if (!Array.isArray(list) || list.length === 0) return false;
  const last = list[list.length - 1] as Json;
  switch (api) {
    case 'openai.chat':
      return last['role'] === 'tool';
    case 'openai.responses':
      return last['type'] === 'function_call_output';
    case 'anthropic.messages':
      return Array.isArray(last['content']) && last['content'].some((part: Json) => part['type'] === 'tool_result');
    case 'bedrock.converse':
      return Array.isArray(last['content']) && last['content'].some((part: Json) => 'toolResult' in part);
    default:
      return false;
  }
}

function replyFor(call: Call): Reply {
  if (call.scenario.startsWith('error-')) return errorReply(call.api, call.scenario as FakeErrorScenario);
  switch (call.api) {
    case 'openai.chat':
      return openAiChat(call);
    case 'openai.responses':
      return openAiResponses(call);
    case 'openai.embeddings':
      return openAiEmbeddings(call);
    case 'anthropic.messages':
      return anthropicMessages(call);
    case 'bedrock.converse':
      return bedrockConverse(call);
  }
}

// ---------------------------------------------------------------- errors

function errorReply(api: FakeApi, scenario: FakeErrorScenario): Reply {
  const status = ERROR_STATUS[scenario];
  const retryAfter: Record<string, string> = status === 429 ? { 'retry-after': '20' } : {};
  if (api === 'anthropic.messages') {
    const [type, message] = ANTHROPIC_ERRORS[status]!;
    return {
      status,
      headers: { ...retryAfter, 'request-id': 'req_fake_error' },
      body: { type: 'error', error: { type, message }, request_id: 'req_fake_error' },
      usage: null,
    };
  }
  if (api === 'bedrock.converse') {
    const [type, message] = BEDROCK_ERRORS[status]!;
    return {
      status,
      headers: {
        'x-amzn-errortype': `${type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
        'x-amzn-requestid': 'fake-request-id',
      },
      body: { message },
      usage: null,
    };
  }
  const [message, type, param, code] = OPENAI_ERRORS[status]!;
  return {
    status,
    headers: { ...retryAfter, 'x-request-id': 'req_fake_error' },
    body: openAiError(message, type, param, code),
    usage: null,
  };
}

const OPENAI_ERRORS: Record<number, [message: string, type: string, param: string | null, code: string | null]> = {
  400: ["Invalid value for 'temperature': expected a number between 0 and 2.", 'invalid_request_error', 'temperature', 'invalid_value'],
  401: [
    'Incorrect API key provided: sk-fake. You can find your API key at https://platform.openai.com/account/api-keys.',
    'invalid_request_error',
    null,
    'invalid_api_key',
  ],
  429: ['Rate limit reached for requests. Please try again in 20s.', 'requests', null, 'rate_limit_exceeded'],
  500: ['The server had an error while processing your request. Sorry about that!', 'server_error', null, null],
};

const ANTHROPIC_ERRORS: Record<number, [type: string, message: string]> = {
  400: ['invalid_request_error', 'max_tokens: Field required'],
  401: ['authentication_error', 'invalid x-api-key'],
  429: ['rate_limit_error', 'Number of request tokens has exceeded your per-minute rate limit.'],
  500: ['api_error', 'Internal server error'],
};

const BEDROCK_ERRORS: Record<number, [type: string, message: string]> = {
  400: ['ValidationException', 'The provided request is not valid'],
  401: ['UnrecognizedClientException', 'The security token included in the request is invalid.'],
  429: ['ThrottlingException', 'Too many requests, please wait before trying again.'],
  500: ['InternalServerException', 'The server encountered an internal error.'],
};

function openAiError(message: string, type: string, param: string | null, code: string | null): Json {
  return { error: { message, type, param, code } };
}

// ---------------------------------------------------------------- OpenAI Chat Completions

function openAiChat(call: Call): Reply {
  const usage = FAKE_USAGE['openai.chat'][call.scenario as keyof (typeof FAKE_USAGE)['openai.chat']];
  const id = `chatcmpl-fake${call.n}`;
  const model = `${call.model}-2025-01-01`;
  const toolCall = call.scenario === 'tool-call' ? { id: `call_fake${call.n}`, name: firstToolName(call) } : undefined;
  const text = call.scenario === 'tool-result' ? FAKE_TOOL_RESULT_TEXT : FAKE_TEXT;
  const finishReason = toolCall ? 'tool_calls' : 'stop';
  const base = { id, created: CREATED, model, system_fingerprint: 'fp_fake', service_tier: 'default' };
  if (!call.stream) {
    const message = toolCall
      ? {
          role: 'assistant',
          content: null,
          refusal: null,
          annotations: [],
          tool_calls: [
            { id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: JSON.stringify(FAKE_TOOL_ARGUMENTS) } },
          ],
        }
      : { role: 'assistant', content: text, refusal: null, annotations: [] };
    return {
      status: 200,
      headers: { 'x-request-id': `req_fake${call.n}` },
      body: { ...base, object: 'chat.completion', choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }], usage },
      usage,
    };
  }
  const includeUsage = (call.body['stream_options'] as Json | undefined)?.['include_usage'] === true;
  const chunk = (choices: Json[]): SseEvent => ({
    data: { ...base, object: 'chat.completion.chunk', choices, ...(includeUsage ? { usage: null } : {}) },
  });
  const delta = (d: Json, finish: string | null = null): Json => ({ index: 0, delta: d, logprobs: null, finish_reason: finish });
  const events: SseEvent[] = [chunk([delta({ role: 'assistant', content: toolCall ? null : '', refusal: null })])];
  if (toolCall) {
    const args = JSON.stringify(FAKE_TOOL_ARGUMENTS);
    events.push(
      chunk([delta({ tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: '' } }] })]),
    );
    for (const piece of split(args)) events.push(chunk([delta({ tool_calls: [{ index: 0, function: { arguments: piece } }] })]));
  } else {
    for (const piece of split(text)) events.push(chunk([delta({ content: piece })]));
  }
  events.push(chunk([delta({}, finishReason)]));
  if (includeUsage) events.push({ data: { ...base, object: 'chat.completion.chunk', choices: [], usage } });
  events.push({ data: '[DONE]' });
  return { status: 200, headers: { 'x-request-id': `req_fake${call.n}` }, events, usage: includeUsage ? usage : null };
}

function firstToolName(call: Call): string {
  const tools = (call.api === 'bedrock.converse' ? (call.body['toolConfig'] as Json)['tools'] : call.body['tools']) as Json[];
  const tool = tools[0] ?? {};
  // OpenAI Chat nests the name under `function`; Responses and Anthropic put it on the tool; Bedrock under `toolSpec`.
  const name = (tool['function'] as Json | undefined)?.['name'] ?? tool['name'] ?? (tool['toolSpec'] as Json | undefined)?.['name'];
  return typeof name === 'string' ? name : 'tool';
}

// ---------------------------------------------------------------- OpenAI Responses

function openAiResponses(call: Call): Reply {
  const usage = FAKE_USAGE['openai.responses'][call.scenario as keyof (typeof FAKE_USAGE)['openai.responses']];
  const id = `resp_fake${call.n}`;
  const toolCall = call.scenario === 'tool-call' ? { id: `call_fake${call.n}`, name: firstToolName(call) } : undefined;
  const text = call.scenario === 'tool-result' ? FAKE_TOOL_RESULT_TEXT : FAKE_TEXT;
  const messageItem = {
    id: `msg_fake${call.n}`,
    type: 'message',
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
  };
  const functionItem = toolCall && {
    id: `fc_fake${call.n}`,
    type: 'function_call',
    status: 'completed',
    arguments: JSON.stringify(FAKE_TOOL_ARGUMENTS),
    call_id: toolCall.id,
    name: toolCall.name,
  };
  const output = [functionItem ?? messageItem];
  const response = (status: 'in_progress' | 'completed', items: Json[], u: Usage | null): Json => ({
    id,
    object: 'response',
    created_at: CREATED,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: call.body['instructions'] ?? null,
    max_output_tokens: call.body['max_output_tokens'] ?? null,
    model: `${call.model}-2025-01-01`,
    output: items,
    parallel_tool_calls: true,
    previous_response_id: call.body['previous_response_id'] ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: true,
    temperature: call.body['temperature'] ?? 1,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: 'auto',
    tools: call.body['tools'] ?? [],
    top_p: call.body['top_p'] ?? 1,
    truncation: 'disabled',
    usage: u,
    user: null,
    metadata: {},
  });
  const headers = { 'x-request-id': `req_fake${call.n}` };
  if (!call.stream) return { status: 200, headers, body: response('completed', output, usage), usage };

  const events: Json[] = [
    { type: 'response.created', response: response('in_progress', [], null) },
    { type: 'response.in_progress', response: response('in_progress', [], null) },
  ];
  if (functionItem) {
    events.push({ type: 'response.output_item.added', output_index: 0, item: { ...functionItem, status: 'in_progress', arguments: '' } });
    for (const piece of split(functionItem.arguments))
      events.push({ type: 'response.function_call_arguments.delta', item_id: functionItem.id, output_index: 0, delta: piece });
    events.push({
      type: 'response.function_call_arguments.done',
      item_id: functionItem.id,
      output_index: 0,
      arguments: functionItem.arguments,
    });
    events.push({ type: 'response.output_item.done', output_index: 0, item: functionItem });
  } else {
    const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
    const at = { item_id: messageItem.id, output_index: 0, content_index: 0 };
    events.push({ type: 'response.output_item.added', output_index: 0, item: { ...messageItem, status: 'in_progress', content: [] } });
    events.push({ type: 'response.content_part.added', ...at, part });
    for (const piece of split(text)) events.push({ type: 'response.output_text.delta', ...at, delta: piece, logprobs: [] });
    events.push({ type: 'response.output_text.done', ...at, text, logprobs: [] });
    events.push({ type: 'response.content_part.done', ...at, part: { ...part, text } });
    events.push({ type: 'response.output_item.done', output_index: 0, item: messageItem });
  }
  events.push({ type: 'response.completed', response: response('completed', output, usage) });
  return {
    status: 200,
    headers,
    events: events.map((data, sequence) => ({ event: String(data['type']), data: { ...data, sequence_number: sequence } })),
    usage,
  };
}

// ---------------------------------------------------------------- OpenAI embeddings

function openAiEmbeddings(call: Call): Reply {
  const input = call.body['input'];
  const inputs = Array.isArray(input) ? input : [input];
  const tokens = inputs.length * FAKE_EMBEDDING_TOKENS_PER_INPUT;
  const usage = { prompt_tokens: tokens, total_tokens: tokens };
  const base64 = call.body['encoding_format'] === 'base64';
  const data = inputs.map((_, index) => {
    const vector = Array.from({ length: FAKE_EMBEDDING_DIMENSIONS }, (_, i) => (index + 1) / 10 + i / 100);
    const embedding = base64 ? Buffer.from(new Float32Array(vector).buffer).toString('base64') : vector;
    return { object: 'embedding', index, embedding };
  });
  return {
    status: 200,
    headers: { 'x-request-id': `req_fake${call.n}` },
    body: { object: 'list', data, model: call.model, usage },
    usage,
  };
}

// ---------------------------------------------------------------- Anthropic Messages

function anthropicMessages(call: Call): Reply {
  const usage = FAKE_USAGE['anthropic.messages'][call.scenario as keyof (typeof FAKE_USAGE)['anthropic.messages']];
  const id = `msg_fake${call.n}`;
  const model = `${call.model}-20250101`;
  const text = call.scenario === 'tool-result' ? FAKE_TOOL_RESULT_TEXT : FAKE_TEXT;
  const blocks: Json[] = [];
  if (call.scenario === 'thinking') blocks.push({ type: 'thinking', thinking: FAKE_THINKING, signature: 'c2lnbmF0dXJl' });
  if (call.scenario === 'tool-call') {
    blocks.push({ type: 'text', text: 'Let me check the weather.' });
    blocks.push({ type: 'tool_use', id: `toolu_fake${call.n}`, name: firstToolName(call), input: FAKE_TOOL_ARGUMENTS });
  } else {
    blocks.push({ type: 'text', text });
  }
  const stopReason = call.scenario === 'tool-call' ? 'tool_use' : 'end_turn';
  const headers = { 'request-id': `req_fake${call.n}`, 'anthropic-organization-id': 'org-fake' };
  const message = (content: Json[], u: Json, stop: string | null): Json => ({
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage: u,
  });
  if (!call.stream) return { status: 200, headers, body: message(blocks, usage, stopReason), usage };

  // message_start carries the input side and a provisional output count; message_delta the final output count.
  const events: Json[] = [{ type: 'message_start', message: message([], { ...usage, output_tokens: 1 }, null) }];
  blocks.forEach((block, index) => {
    if (block['type'] === 'thinking') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      for (const piece of split(String(block['thinking'])))
        events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: piece } });
      events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block['signature'] } });
    } else if (block['type'] === 'tool_use') {
      events.push({ type: 'content_block_start', index, content_block: { ...block, input: {} } });
      for (const piece of split(JSON.stringify(block['input'])))
        events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } });
    } else {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      if (index === 0) events.push({ type: 'ping' });
      for (const piece of split(String(block['text'])))
        events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: piece } });
    }
    events.push({ type: 'content_block_stop', index });
  });
  const { output_tokens, output_tokens_details } = usage as { output_tokens: number; output_tokens_details?: Json };
  events.push({
    type: 'message_delta',
    delta: { stop_reason: stopReason, stop_sequence: null },
    usage: { output_tokens, ...(output_tokens_details ? { output_tokens_details } : {}) },
  });
  events.push({ type: 'message_stop' });
  return { status: 200, headers, events: events.map((data) => ({ event: String(data['type']), data })), usage };
}

// ---------------------------------------------------------------- Bedrock Converse

function bedrockConverse(call: Call): Reply {
  const usage = FAKE_USAGE['bedrock.converse'][call.scenario as keyof (typeof FAKE_USAGE)['bedrock.converse']];
  const content =
    call.scenario === 'tool-call'
      ? [{ toolUse: { toolUseId: `tooluse_fake${call.n}`, name: firstToolName(call), input: FAKE_TOOL_ARGUMENTS } }]
      : [{ text: call.scenario === 'tool-result' ? FAKE_TOOL_RESULT_TEXT : FAKE_TEXT }];
  return {
    status: 200,
    headers: { 'x-amzn-requestid': `fake-request-${call.n}` },
    body: {
      output: { message: { role: 'assistant', content } },
      stopReason: call.scenario === 'tool-call' ? 'tool_use' : 'end_turn',
      usage,
      metrics: { latencyMs: 42 },
    },
    usage,
  };
}

// ---------------------------------------------------------------- transport

function split(text: string): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += 8) pieces.push(text.slice(i, i + 8));
  return pieces;
}

async function send(res: ServerResponse, reply: Reply): Promise<void> {
  if (!reply.events) {
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body));
    return;
  }
  res.writeHead(reply.status, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...reply.headers,
  });
  res.flushHeaders();
  await sleep(FIRST_EVENT_DELAY_MS);
  for (const { event, data } of reply.events) {
    if (res.destroyed) return;
    const payload = data === '[DONE]' ? data : JSON.stringify(data);
    res.write(`${event ? `event: ${event}\n` : ''}data: ${payload}\n\n`);
    await sleep(EVENT_GAP_MS);
  }
  res.end();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(raw: string): Json | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
  } catch {
    return undefined;
  }
}
