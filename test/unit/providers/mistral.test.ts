import { describe, expect, it } from 'vitest';
import { readProviderPayload } from '../../../src/providers/index.js';

// vercel/ai packages/mistral/src/__fixtures__/mistral-usage-details.json (detail lists shortened)
const USAGE_DETAILS = {
  id: 'usage-details',
  created: 1787866434,
  model: 'mistral-small-latest',
  usage: {
    prompt_tokens: 20,
    completion_tokens: 2,
    total_tokens: 22,
    prompt_audio_seconds: 1,
    request_count: 1,
    service_tier: 'standard',
    num_cached_tokens: 0,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 1 },
    prompt_token_details: { cached_tokens: 0, audio_tokens: 1 },
    completion_tokens_details: { reasoning_tokens: 7 },
  },
  object: 'chat.completion',
  choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', tool_calls: null, content: 'OK' } }],
};

// Mistral reports a cache hit as `num_cached_tokens` only.
const CACHE_HIT = {
  ...USAGE_DETAILS,
  model: 'mistral-medium-2508',
  usage: { prompt_tokens: 3120, completion_tokens: 85, total_tokens: 3205, num_cached_tokens: 2944 },
};

describe('Mistral chat', () => {
  it('reads the OpenAI-like body with reasoning tokens', () => {
    expect(readProviderPayload(USAGE_DETAILS, 'mistral_ai')).toEqual({
      usage: { promptTokens: 20, completionTokens: 2, totalTokens: 22, cachedInputTokens: 0, reasoningTokens: 7 },
      model: 'mistral-small-latest',
      finishReasons: ['stop'],
    });
  });

  it('reads num_cached_tokens as the cache reads when the hint names Mistral', () => {
    expect(readProviderPayload(CACHE_HIT, 'mistral_ai')?.usage).toEqual({
      promptTokens: 3120,
      completionTokens: 85,
      totalTokens: 3205,
      cachedInputTokens: 2944,
    });
  });

  it('reads the body as OpenAI chat without the hint: same counts, no Mistral-only fields', () => {
    expect(readProviderPayload(CACHE_HIT)?.usage).toEqual({
      promptTokens: 3120,
      completionTokens: 85,
      totalTokens: 3205,
    });
  });

  it('reads the flat error body, type before its numeric code', () => {
    const body = {
      object: 'error',
      message: 'Expected last role User or Tool (or Assistant with prefix True) for serving but got assistant',
      type: 'invalid_request_message_order',
      param: null,
      code: '3230',
    };
    const expected = { error: { type: 'invalid_request_message_order', message: body.message } };
    expect(readProviderPayload(body, 'mistral_ai')).toEqual(expected);
    expect(readProviderPayload(body)).toEqual(expected);
  });

  it('folds streamed chunks like OpenAI chat chunks', () => {
    const chunk = (rest: Record<string, unknown>) => ({
      id: 'b7d6c1e2',
      object: 'chat.completion.chunk',
      created: 1787866434,
      model: 'mistral-medium-2508',
      ...rest,
    });
    const chunks = [
      chunk({ choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] }),
      chunk({ choices: [{ index: 0, delta: { content: 'Paris' }, finish_reason: null }] }),
      chunk({
        choices: [{ index: 0, delta: { content: '' }, finish_reason: 'length' }],
        usage: { prompt_tokens: 3120, completion_tokens: 85, total_tokens: 3205, num_cached_tokens: 2944 },
      }),
    ];
    expect(readProviderPayload(chunks, 'mistral_ai')).toEqual({
      usage: { promptTokens: 3120, completionTokens: 85, totalTokens: 3205, cachedInputTokens: 2944 },
      model: 'mistral-medium-2508',
      finishReasons: ['length'],
    });
  });
});
