/**
 * Content from log records: `@opentelemetry/instrumentation-openai` with
 * OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true puts the prompt and completion in log
 * records, never on the span. GenAiContentLogProcessor, on a real @opentelemetry/sdk-logs
 * LoggerProvider, hands them to the exporter, which stores them in the call's request and response
 * payloads (redacted like every payload); otel_traces keeps the span as it was emitted.
 */
import { metrics } from '@opentelemetry/api';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { LoggerProvider } from '@opentelemetry/sdk-logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenAiContentLogProcessor } from '../../../src/logs/genai-content-processor.js';
import { FAKE_TEXT, FAKE_TOOL_ARGUMENTS, FAKE_TOOL_RESULT_TEXT } from '../../support/fake-provider.js';
import { installedVersion, patchManually, requireCjs, startLab, type Lab, type ScenarioResult } from './harness.js';
import { CHAT_MODEL, openAiCalls, type OpenAiConstructor } from './openai-calls.js';

let lab: Lab;
let processor: GenAiContentLogProcessor;
let loggerProvider: LoggerProvider;
let client: ReturnType<typeof openAiCalls> & { raw: OpenAiClientLike };
let unpatch: () => void;

interface OpenAiClientLike {
  chat: { completions: { create(body: object): Promise<unknown> } };
}

const SECRET = 'sk-proj-AbCdEf0123456789AbCdEf0123456789';

beforeAll(async () => {
  lab = await startLab();
  processor = new GenAiContentLogProcessor(lab.exporter);
  loggerProvider = new LoggerProvider({ processors: [processor] });
  const previous = process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
  process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = 'true';
  const instrumentation = new OpenAIInstrumentation({ enabled: false });
  if (previous === undefined) delete process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT;
  else process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT = previous;
  instrumentation.setTracerProvider(lab.tracerProvider);
  instrumentation.setMeterProvider(metrics.getMeterProvider());
  instrumentation.setLoggerProvider(loggerProvider);
  const module = requireCjs('openai') as { OpenAI: OpenAiConstructor };
  unpatch = patchManually(instrumentation, module, installedVersion('openai'));
  instrumentation.enable();
  const raw = new module.OpenAI({ baseURL: `${lab.fake.url}/v1`, apiKey: 'sk-fake', maxRetries: 0 }) as unknown as OpenAiClientLike;
  client = { ...openAiCalls(module.OpenAI, lab.fake), raw };
});

afterAll(async () => {
  unpatch?.();
  await loggerProvider?.shutdown();
  await lab?.close();
});

interface Payloads {
  request: { messages?: unknown; model?: string };
  response: { messages?: unknown; model?: string };
  otelAttributes: string[];
}

/** The stored payloads of the scenario's one LLM call, and the attribute keys its otel_traces row kept. */
async function payloads(result: ScenarioResult): Promise<Payloads> {
  expect(result.rows).toHaveLength(1);
  const spanId = result.rows[0]!.span_id;
  const [row] = await lab.store.rows<{ request_json: string; response_json: string }>(
    'SELECT request_json, response_json FROM otel.llm_traces WHERE span_id = {spanId:String}',
    { spanId },
  );
  const [span] = await lab.store.rows<{ keys: string[] }>(
    'SELECT mapKeys(SpanAttributes) AS keys FROM otel.otel_traces WHERE SpanId = {spanId:String}',
    {
      spanId,
    },
  );
  const parse = (text: string) => (text === '' ? {} : JSON.parse(text));
  return { request: parse(row!.request_json), response: parse(row!.response_json), otelAttributes: span!.keys };
}

const text = (content: string) => ({ type: 'text', content });
const PROMPT = [
  { role: 'system', parts: [text('You are terse.')] },
  { role: 'user', parts: [text('Say hello.')] },
];

describe('@opentelemetry/instrumentation-openai content log records, joined by span id', () => {
  it('stores a chat completion’s prompt and completion from the log records, not in otel_traces', async () => {
    const before = processor.stats().joined;
    const stored = await payloads(await lab.run(client.chat));
    expect(stored.request).toMatchObject({ model: CHAT_MODEL, messages: PROMPT });
    expect(stored.response.messages).toEqual([{ role: 'assistant', parts: [text(FAKE_TEXT)], finish_reason: 'stop' }]);
    expect(stored.otelAttributes.filter((key) => key.startsWith('gen_ai.input') || key.startsWith('gen_ai.output'))).toEqual([]);
    expect(processor.stats()).toMatchObject({ joined: before + 1, held: 0, late: 0 });
  });

  it('stores a streamed completion assembled from its chunks', async () => {
    const stored = await payloads(await lab.run(client.chatStream));
    expect(stored.request.messages).toEqual(PROMPT);
    expect(stored.response.messages).toEqual([{ role: 'assistant', parts: [text(FAKE_TEXT)], finish_reason: 'stop' }]);
  });

  it('stores tool calls and tool results in both directions', async () => {
    const call = await payloads(await lab.run(client.chatToolCall));
    expect(call.response.messages).toEqual([
      {
        role: 'assistant',
        parts: [
          {
            type: 'tool_call',
            id: expect.stringMatching(/^call_fake/),
            name: 'getWeather',
            arguments: JSON.stringify(FAKE_TOOL_ARGUMENTS),
          },
        ],
        finish_reason: 'tool_calls',
      },
    ]);
    const toolCall = { id: 'call_1', type: 'function', function: { name: 'getWeather', arguments: '{"city":"Paris"}' } };
    const result = await payloads(
      await lab.run(() =>
        client.raw.chat.completions.create({
          model: CHAT_MODEL,
          messages: [
            { role: 'user', content: 'Weather in Paris?' },
            { role: 'assistant', content: null, tool_calls: [toolCall] },
            { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
          ],
        }),
      ),
    );
    expect(result.request.messages).toEqual([
      { role: 'user', parts: [text('Weather in Paris?')] },
      { role: 'assistant', parts: [{ type: 'tool_call', id: 'call_1', name: 'getWeather', arguments: '{"city":"Paris"}' }] },
      { role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: 'sunny' }] },
    ]);
    expect(result.response.messages).toEqual([{ role: 'assistant', parts: [text(FAKE_TOOL_RESULT_TEXT)], finish_reason: 'stop' }]);
  });

  it('stores the Responses API’s operation-details events as they are', async () => {
    const stored = await payloads(await lab.run(client.responses));
    expect(stored.request.messages).toEqual(PROMPT);
    expect(stored.response.messages).toEqual([expect.objectContaining({ role: 'assistant', parts: [text(FAKE_TEXT)] })]);
  });

  it('stores the prompt of a failed call, and redacts credentials in content like any payload', async () => {
    const result = await lab.run(() =>
      client.raw.chat.completions.create({ model: 'fake-error-429', messages: [{ role: 'user', content: `my key is ${SECRET}` }] }),
    );
    expect(result.rows[0]).toMatchObject({ is_error: true, error_type: 'RateLimitError' });
    const stored = await payloads(result);
    const [message] = stored.request.messages as Array<{ parts: Array<{ content: string }> }>;
    expect(message!.parts[0]!.content).toMatch(/^my key is /);
    expect(JSON.stringify(stored.request)).not.toContain(SECRET);
    expect(stored.response.messages).toBeUndefined();
  });
});
