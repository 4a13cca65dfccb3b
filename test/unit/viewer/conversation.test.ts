import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectLlmCall } from '../../../src/detect/detect.js';
import {
  conversationText,
  requestConversation,
  responseConversation,
  type Conversation,
  type Part,
} from '../../../src/viewer/conversation.js';
import { startFakeProvider, type FakeProvider, FAKE_TOOL_RESULT_TEXT } from '../../support/fake-provider.js';
import { RAW_APIS, TINY_PNG, toolTurn, type RawExchange } from '../../support/provider-payloads.js';
import { loadFixture } from '../../support/span-fixtures.js';

const kinds = (c: Conversation | null) => c?.messages.map((m) => [m.role, m.parts.map((p) => p.kind)]);
const find = <K extends Part['kind']>(c: Conversation | null, kind: K) =>
  c!.messages.flatMap((m) => m.parts).filter((p): p is Extract<Part, { kind: K }> => p.kind === kind);

describe('raw provider payloads as conversations', () => {
  let fake: FakeProvider;
  const turns = new Map<string, RawExchange[]>();
  beforeAll(async () => {
    fake = await startFakeProvider();
    for (const api of RAW_APIS) turns.set(api, await toolTurn(fake, api));
  });
  afterAll(() => fake.close());

  it.each([
    ['openai.chat', 'openai.chat'],
    ['openai.responses', 'openai.responses'],
    ['anthropic.messages', 'anthropic'],
  ])('%s: system, user with image, the tool call and its result, then the answer', (api, format) => {
    const [call, result] = turns.get(api)!;
    const request = requestConversation(result!.request);
    expect(request?.format).toBe(format);
    expect(request?.messages[0]).toEqual({
      role: 'system',
      parts: [{ kind: 'text', text: 'You are a weather assistant. Answer in one sentence.' }],
    });
    const toolCall = find(request, 'tool_call')[0]!;
    expect(toolCall.name).toBe('getWeather');
    expect(JSON.parse(toolCall.arguments)).toEqual({ city: 'Paris' });
    const toolResult = find(request, 'tool_result')[0]!;
    // The result is linked to the call it answers, by id, and named after its tool.
    expect(toolResult.id).toBe(toolCall.id);
    expect(toolResult.name).toBe('getWeather');
    expect(JSON.parse(toolResult.content)).toEqual({ forecast: 'sunny', celsius: 21 });
    expect(request?.tools).toEqual([{ name: 'getWeather', description: 'Get the weather for a city' }]);

    const firstResponse = responseConversation(call!.response);
    expect(find(firstResponse, 'tool_call').map((p) => p.name)).toEqual(['getWeather']);
    const answer = responseConversation(result!.response);
    expect(answer?.format).toBe(format);
    expect(find(answer, 'text').map((p) => p.text)).toEqual([FAKE_TOOL_RESULT_TEXT]);
    expect(answer?.finishReasons).toEqual([
      { 'openai.chat': 'stop', 'openai.responses': 'completed', 'anthropic.messages': 'end_turn' }[api],
    ]);
  });

  it('images become placeholders with their media type and decoded size', () => {
    for (const api of ['openai.chat', 'anthropic.messages']) {
      const media = find(requestConversation(turns.get(api)![0]!.request), 'media');
      expect(media).toEqual([
        { kind: 'media', media: 'image', mediaType: 'image/png', bytes: Buffer.from(TINY_PNG, 'base64').length, source: 'inline' },
      ]);
    }
  });

  it('finish reasons of a tool call turn', () => {
    expect(responseConversation(turns.get('openai.chat')![0]!.response)?.finishReasons).toEqual(['tool_calls']);
    expect(responseConversation(turns.get('anthropic.messages')![0]!.response)?.finishReasons).toEqual(['tool_use']);
  });
});

describe('neutral payloads the exporter builds from instrumentation attributes', () => {
  const documents = (path: string) => {
    const calls = loadFixture(path)
      .spans.map(detectLlmCall)
      .filter((c) => c !== undefined);
    return calls.map((c) => ({ request: c.requestJson!, response: c.responseJson! }));
  };

  it('OpenInference OpenAI chat: tool result round trip', () => {
    const [doc] = documents('openinference-openai@4/openai6-chat-tool-result');
    const request = requestConversation(doc!.request);
    expect(request?.format).toBe('neutral');
    expect(kinds(request)).toEqual([
      ['user', ['text']],
      ['assistant', ['tool_call']],
      ['tool', ['tool_result']],
    ]);
    expect(find(request, 'tool_result')[0]).toMatchObject({ id: 'call_1', name: 'getWeather' });
    expect(request?.parameters).toEqual({ temperature: 0.2, max_tokens: 256 });
  });

  it('OpenInference Responses: the system prompt shown once though the document repeats it', () => {
    const [doc] = documents('openinference-openai@4/openai6-responses');
    expect(kinds(requestConversation(doc!.request))).toEqual([
      ['system', ['text']],
      ['user', ['text']],
    ]);
  });

  it('Anthropic SDK: system from the document, tool result blocks flattened to text', () => {
    const [doc] = documents('anthropic-sdk@1/messages-tool-result');
    const request = requestConversation(doc!.request);
    expect(request?.messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(JSON.parse(find(request, 'tool_result')[0]!.content)).toEqual({ forecast: 'sunny' });
  });

  it('AI SDK: reasoning parts of the response', () => {
    const [doc] = documents('ai@6/generate-text-anthropic-thinking');
    const response = responseConversation(doc!.response);
    expect(kinds(response)).toEqual([['assistant', ['reasoning', 'text']]]);
    expect(response?.finishReasons).toEqual(['stop']);
  });
});

describe('Gemini and Bedrock bodies', () => {
  it('Gemini: systemInstruction, model role, function call and response, thoughts', () => {
    const request = requestConversation(
      JSON.stringify({
        systemInstruction: { parts: [{ text: 'Be brief.' }] },
        contents: [
          { role: 'user', parts: [{ text: 'Weather?' }, { inlineData: { mimeType: 'image/jpeg', data: 'AAAA' } }] },
          { role: 'model', parts: [{ functionCall: { name: 'getWeather', args: { city: 'Paris' } } }] },
          { role: 'user', parts: [{ functionResponse: { name: 'getWeather', response: { forecast: 'sunny' } } }] },
        ],
        tools: [{ functionDeclarations: [{ name: 'getWeather', description: 'weather' }] }],
        generationConfig: { temperature: 0 },
      }),
    );
    expect(request?.format).toBe('gemini');
    expect(kinds(request)).toEqual([
      ['system', ['text']],
      ['user', ['text', 'media']],
      ['assistant', ['tool_call']],
      ['user', ['tool_result']],
    ]);
    expect(request?.tools).toEqual([{ name: 'getWeather', description: 'weather' }]);
    expect(request?.parameters).toEqual({ temperature: 0 });
    const response = responseConversation(
      JSON.stringify({
        candidates: [{ content: { role: 'model', parts: [{ text: 'hmm', thought: true }, { text: 'Sunny.' }] }, finishReason: 'STOP' }],
      }),
    );
    expect(kinds(response)).toEqual([['assistant', ['reasoning', 'text']]]);
    expect(response?.finishReasons).toEqual(['STOP']);
  });

  it('Bedrock Converse: toolUse and toolResult blocks', () => {
    const request = requestConversation(
      JSON.stringify({
        system: [{ text: 'Be brief.' }],
        messages: [
          { role: 'user', content: [{ text: 'Weather?' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'getWeather', input: { city: 'Paris' } } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: 't1', content: [{ json: { forecast: 'sunny' } }], status: 'success' } }] },
        ],
        toolConfig: { tools: [{ toolSpec: { name: 'getWeather', description: 'weather' } }] },
      }),
    );
    expect(request?.format).toBe('bedrock');
    expect(find(request, 'tool_result')[0]).toMatchObject({ id: 't1', name: 'getWeather', isError: false });
    const response = responseConversation(
      JSON.stringify({ output: { message: { role: 'assistant', content: [{ text: 'Sunny.' }] } }, stopReason: 'end_turn' }),
    );
    expect(response?.format).toBe('bedrock');
    expect(response?.finishReasons).toEqual(['end_turn']);
  });
});

describe('payloads that are not conversations', () => {
  it('capped JSON and unknown shapes give null, so the page falls back to the raw view', () => {
    expect(requestConversation('{"messages":[{"role":"user","content":"hi"}]…[truncated by llm-traces: 9 bytes in all]')).toBeNull();
    expect(requestConversation('{"foo":1}')).toBeNull();
    expect(responseConversation('[1,2]')).toBeNull();
  });

  it('a JSON string is one plain message', () => {
    expect(kinds(requestConversation('"just text"'))).toEqual([['user', ['text']]]);
  });

  it('conversationText is what compare diffs: one block per message', () => {
    const text = conversationText(
      requestConversation(
        JSON.stringify({
          messages: [
            { role: 'user', content: 'a' },
            { role: 'assistant', content: 'b' },
          ],
        }),
      ),
    );
    expect(text).toBe('## user\na\n\n## assistant\nb');
  });
});
