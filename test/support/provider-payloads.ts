/**
 * Raw provider request and response bodies for a tool-using agent turn, the bodies an app attaches
 * as `llm_traces.request_json` / `response_json`: the requests are written here in each API's own
 * shape (tools, a system prompt, an image, the tool result sent back), the responses come from the
 * fake provider over HTTP.
 */
import type { FakeApi, FakeProvider } from './fake-provider.js';

export interface RawExchange {
  api: FakeApi;
  step: 'tool-call' | 'tool-result';
  model: string;
  request: string;
  response: string;
}

const SYSTEM = 'You are a weather assistant. Answer in one sentence.';
const QUESTION = 'What is the weather in Paris today?';
/** A 1x1 PNG, so image parts have real base64 data and a size. */
export const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

const weatherSchema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

interface ApiShape {
  path: string;
  model: string;
  first(): Record<string, unknown>;
  /** The follow-up request: the first one plus the assistant's tool call and the tool's result. */
  second(first: Record<string, unknown>, response: Record<string, unknown>): Record<string, unknown>;
}

const SHAPES: Record<'openai.chat' | 'openai.responses' | 'anthropic.messages', ApiShape> = {
  'openai.chat': {
    path: '/v1/chat/completions',
    model: 'gpt-4o-mini',
    first: () => ({
      model: 'gpt-4o-mini',
      temperature: 0.2,
      messages: [
        { role: 'system', content: SYSTEM },
        {
          role: 'user',
          content: [
            { type: 'text', text: QUESTION },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${TINY_PNG}` } },
          ],
        },
      ],
      tools: [{ type: 'function', function: { name: 'getWeather', description: 'Get the weather for a city', parameters: weatherSchema } }],
    }),
    second: (first, response) => {
      const message = (response['choices'] as Array<{ message: { tool_calls: Array<{ id: string }> } }>)[0]!.message;
      return {
        ...first,
        messages: [
          ...(first['messages'] as unknown[]),
          message,
          { role: 'tool', tool_call_id: message.tool_calls[0]!.id, content: '{"forecast":"sunny","celsius":21}' },
        ],
      };
    },
  },
  'openai.responses': {
    path: '/v1/responses',
    model: 'gpt-4.1-mini',
    first: () => ({
      model: 'gpt-4.1-mini',
      instructions: SYSTEM,
      input: [{ role: 'user', content: [{ type: 'input_text', text: QUESTION }] }],
      tools: [{ type: 'function', name: 'getWeather', description: 'Get the weather for a city', parameters: weatherSchema }],
    }),
    second: (first, response) => {
      const call = (response['output'] as Array<{ type: string; call_id: string }>).find((item) => item.type === 'function_call')!;
      return {
        ...first,
        input: [
          ...(first['input'] as unknown[]),
          call,
          { type: 'function_call_output', call_id: call.call_id, output: '{"forecast":"sunny","celsius":21}' },
        ],
      };
    },
  },
  'anthropic.messages': {
    path: '/v1/messages',
    model: 'claude-sonnet-4-5',
    first: () => ({
      model: 'claude-sonnet-4-5',
      max_tokens: 512,
      system: [{ type: 'text', text: SYSTEM, cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: TINY_PNG } },
            { type: 'text', text: QUESTION },
          ],
        },
      ],
      tools: [{ name: 'getWeather', description: 'Get the weather for a city', input_schema: weatherSchema }],
    }),
    second: (first, response) => {
      const use = (response['content'] as Array<{ type: string; id: string }>).find((block) => block.type === 'tool_use')!;
      return {
        ...first,
        messages: [
          ...(first['messages'] as unknown[]),
          { role: 'assistant', content: response['content'] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: use.id, content: '{"forecast":"sunny","celsius":21}' }] },
        ],
      };
    },
  },
};

export const RAW_APIS = Object.keys(SHAPES) as Array<keyof typeof SHAPES>;

async function post(fake: FakeProvider, path: string, body: unknown): Promise<string> {
  const response = await fetch(`${fake.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`fake provider answered ${response.status} for ${path}`);
  return response.text();
}

/** Both steps of a tool-using turn of one API: the tool call, then the answer after the tool result. */
export async function toolTurn(fake: FakeProvider, api: keyof typeof SHAPES): Promise<RawExchange[]> {
  const shape = SHAPES[api];
  const first = shape.first();
  const firstResponse = await post(fake, shape.path, first);
  const second = shape.second(first, JSON.parse(firstResponse) as Record<string, unknown>);
  const secondResponse = await post(fake, shape.path, second);
  return [
    { api, step: 'tool-call', model: shape.model, request: JSON.stringify(first), response: firstResponse },
    { api, step: 'tool-result', model: shape.model, request: JSON.stringify(second), response: secondResponse },
  ];
}
