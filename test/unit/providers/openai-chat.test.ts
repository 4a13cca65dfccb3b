import { describe, expect, it } from 'vitest';
import { readProviderPayload } from '../../../src/providers/index.js';

// vercel/ai packages/openai/src/chat/__fixtures__/openai-text.json (message text shortened).
const TEXT_RESPONSE = {
  id: 'chatcmpl-D8Z5f52zQqikDBEKQMQoYcWMcWPeU',
  object: 'chat.completion',
  created: 1770933883,
  model: 'gpt-4.1-nano-2025-04-14',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: '**Holiday Name:** Galaxy Day', refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 16,
    completion_tokens: 363,
    total_tokens: 379,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_de604bd877',
};

// A reasoning model answering from a cached prefix, calling a tool.
const CACHED_REASONING_TOOL_CALL = {
  id: 'chatcmpl-BvX1',
  object: 'chat.completion',
  created: 1753000000,
  model: 'o4-mini-2025-04-16',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      },
      finish_reason: 'tool_calls',
    },
  ],
  usage: {
    prompt_tokens: 2006,
    completion_tokens: 1250,
    total_tokens: 3256,
    prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 1024, audio_tokens: 0 },
  },
};

describe('OpenAI Chat Completions', () => {
  it('reads cached and reasoning tokens as subsets of inclusive prompt and completion', () => {
    expect(readProviderPayload(CACHED_REASONING_TOOL_CALL, 'openai')).toEqual({
      usage: {
        promptTokens: 2006,
        completionTokens: 1250,
        totalTokens: 3256,
        cachedInputTokens: 1920,
        reasoningTokens: 1024,
      },
      model: 'o4-mini-2025-04-16',
      finishReasons: ['tool_calls'],
    });
  });

  it('reports zero cache and reasoning counts the provider states, and no error on success', () => {
    expect(readProviderPayload(TEXT_RESPONSE)).toEqual({
      usage: { promptTokens: 16, completionTokens: 363, totalTokens: 379, cachedInputTokens: 0, reasoningTokens: 0 },
      model: 'gpt-4.1-nano-2025-04-14',
      finishReasons: ['stop'],
    });
  });

  it('reads the JSON text of a body the same as the parsed body', () => {
    expect(readProviderPayload(JSON.stringify(TEXT_RESPONSE))).toEqual(readProviderPayload(TEXT_RESPONSE));
  });

  it('reads one finish reason per choice', () => {
    const body = {
      ...TEXT_RESPONSE,
      choices: [
        { index: 0, message: { role: 'assistant', content: 'a' }, finish_reason: 'stop' },
        { index: 1, message: { role: 'assistant', content: 'b' }, finish_reason: 'length' },
      ],
    };
    expect(readProviderPayload(body)?.finishReasons).toEqual(['stop', 'length']);
  });

  it('derives the total when the provider omits it', () => {
    const body = {
      object: 'chat.completion',
      model: 'llama-3.1-8b',
      usage: { prompt_tokens: 40, completion_tokens: 2 },
    };
    expect(readProviderPayload(body)?.usage).toEqual({ promptTokens: 40, completionTokens: 2, totalTokens: 42 });
  });

  it('reads embeddings usage, which has no completion', () => {
    const body = {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [0.0023, -0.0093] }],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: 8, total_tokens: 8 },
    };
    expect(readProviderPayload(body, 'openai')).toEqual({
      usage: { promptTokens: 8, totalTokens: 8 },
      model: 'text-embedding-3-small',
    });
  });

  describe('errors', () => {
    it('reads the error body, code before type', () => {
      // vercel/ai packages/openai/src/responses/__fixtures__/openai-error.1.json
      const body = {
        error: {
          message:
            'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.',
          type: 'insufficient_quota',
          param: null,
          code: 'insufficient_quota',
        },
      };
      expect(readProviderPayload(body, 'openai')).toEqual({
        error: { type: 'insufficient_quota', message: body.error.message },
      });
    });

    it('prefers the specific code over the generic type', () => {
      const body = {
        error: {
          message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130511 tokens.",
          type: 'invalid_request_error',
          param: 'messages',
          code: 'context_length_exceeded',
        },
      };
      expect(readProviderPayload(body)?.error).toEqual({
        type: 'context_length_exceeded',
        message: body.error.message,
      });
    });

    it('falls back to the type when the code is null', () => {
      const body = {
        error: {
          message: 'Invalid value for temperature.',
          type: 'invalid_request_error',
          param: 'temperature',
          code: null,
        },
      };
      expect(readProviderPayload(body)?.error).toEqual({
        type: 'invalid_request_error',
        message: 'Invalid value for temperature.',
      });
    });
  });

  describe('streaming chunks', () => {
    // vercel/ai packages/openai/src/chat/__fixtures__/openai-text.chunks.txt (first, one content,
    // finish and usage chunks).
    const chunk = (rest: Record<string, unknown>) => ({
      id: 'chatcmpl-D8Z5oo6uDh67AD85p73ksdT1KxhE0',
      object: 'chat.completion.chunk',
      created: 1770933892,
      model: 'gpt-4.1-nano-2025-04-14',
      service_tier: 'default',
      system_fingerprint: 'fp_de604bd877',
      ...rest,
    });
    const CHUNKS = [
      chunk({
        choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }],
        usage: null,
      }),
      chunk({ choices: [{ index: 0, delta: { content: '**' }, logprobs: null, finish_reason: null }], usage: null }),
      chunk({ choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], usage: null }),
      chunk({
        choices: [],
        usage: {
          prompt_tokens: 16,
          completion_tokens: 300,
          total_tokens: 316,
          prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
          completion_tokens_details: {
            reasoning_tokens: 0,
            audio_tokens: 0,
            accepted_prediction_tokens: 0,
            rejected_prediction_tokens: 0,
          },
        },
      }),
    ];

    it('takes usage from the final chunk and the finish reason from its own chunk', () => {
      expect(readProviderPayload(CHUNKS, 'openai')).toEqual({
        usage: { promptTokens: 16, completionTokens: 300, totalTokens: 316, cachedInputTokens: 0, reasoningTokens: 0 },
        model: 'gpt-4.1-nano-2025-04-14',
        finishReasons: ['stop'],
      });
    });

    it('reads chunks given as the JSON text of SSE data lines', () => {
      expect(readProviderPayload(CHUNKS.map((c) => JSON.stringify(c)))).toEqual(readProviderPayload(CHUNKS));
    });

    it('reports no usage when the stream was not asked to include it', () => {
      expect(readProviderPayload(CHUNKS.slice(0, 3))).toEqual({
        model: 'gpt-4.1-nano-2025-04-14',
        finishReasons: ['stop'],
      });
    });

    it('reads an error chunk sent mid-stream', () => {
      const error = {
        error: { message: 'The server had an error while processing your request.', type: 'server_error', code: null },
      };
      expect(readProviderPayload([...CHUNKS.slice(0, 2), error])?.error).toEqual({
        type: 'server_error',
        message: 'The server had an error while processing your request.',
      });
    });
  });
});
