import { describe, expect, it } from 'vitest';
import { readProviderPayload } from '../../../src/providers/index.js';

// vercel/ai packages/cohere/src/__fixtures__/issue-22070-cached-usage.json
const CHAT = {
  id: '1f476b96-75b3-4223-a19b-cccf591d161c',
  message: { role: 'assistant', content: [{ type: 'text', text: 'OK.' }] },
  finish_reason: 'MAX_TOKENS',
  usage: {
    billed_units: { input_tokens: 5, output_tokens: 2 },
    tokens: { input_tokens: 500, output_tokens: 5 },
    cached_tokens: 448,
  },
};

describe('Cohere', () => {
  it('reads v2 chat from `tokens` (processed), not `billed_units`; no model is named', () => {
    expect(readProviderPayload(CHAT, 'cohere')).toEqual({
      usage: { promptTokens: 500, completionTokens: 5, totalTokens: 505, cachedInputTokens: 448 },
      finishReasons: ['length'],
    });
  });

  it('falls back to billed_units when tokens are absent', () => {
    const body = {
      ...CHAT,
      finish_reason: 'COMPLETE',
      usage: { billed_units: { input_tokens: 12, output_tokens: 7 } },
    };
    expect(readProviderPayload(body)).toEqual({
      usage: { promptTokens: 12, completionTokens: 7, totalTokens: 19 },
      finishReasons: ['stop'],
    });
  });

  it.each([
    ['COMPLETE', 'stop'],
    ['STOP_SEQUENCE', 'stop'],
    ['TOOL_CALL', 'tool_calls'],
    ['ERROR', 'error'],
  ])('maps finish_reason %s to %s', (finishReason, expected) => {
    expect(readProviderPayload({ ...CHAT, finish_reason: finishReason })?.finishReasons).toEqual([expected]);
  });

  it('reads embed usage from meta.billed_units', () => {
    // vercel/ai packages/cohere/src/__fixtures__/cohere-embedding.json (vectors shortened)
    const body = {
      id: 'f5aa3e7b-f011-4c5c-a825-f94669f760e5',
      texts: ['sunny day at the beach', 'rainy day in the city'],
      embeddings: {
        float: [
          [0.03302002, 0.020904541],
          [-0.04660034, 0.00037765503],
        ],
      },
      meta: { api_version: { version: '2' }, billed_units: { input_tokens: 10 } },
      response_type: 'embeddings_by_type',
    };
    expect(readProviderPayload(body, 'cohere')).toEqual({ usage: { promptTokens: 10 } });
  });

  it('reads the flat error body', () => {
    const body = {
      id: '0c4b3c9e-8f7d-4a0a-9b1e-2f6d5c4b3a21',
      message: 'invalid request: message must be at least 1 token long or tool results must be specified.',
    };
    expect(readProviderPayload(body, 'cohere')).toEqual({ error: { message: body.message } });
  });

  it('folds a v2 stream into the message-end finish reason and usage', () => {
    // vercel/ai packages/cohere/src/__fixtures__/cohere-text.chunks.txt (fewer deltas)
    const events = [
      {
        id: '321d178c-2c12-44d3-ae42-2f5510f6b1cc',
        type: 'message-start',
        delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
      },
      { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } },
      { type: 'content-delta', index: 0, delta: { message: { content: { text: 'The capital of France is Paris.' } } } },
      { type: 'content-end', index: 0 },
      {
        type: 'message-end',
        delta: {
          finish_reason: 'COMPLETE',
          usage: {
            billed_units: { input_tokens: 12, output_tokens: 7 },
            tokens: { input_tokens: 507, output_tokens: 10 },
            cached_tokens: 448,
          },
        },
      },
    ];
    expect(readProviderPayload(events, 'cohere')).toEqual({
      usage: { promptTokens: 507, completionTokens: 10, totalTokens: 517, cachedInputTokens: 448 },
      finishReasons: ['stop'],
    });
  });
});
