import { describe, expect, it } from 'vitest';
import { readProviderPayload } from '../../../src/providers/index.js';

// vercel/ai packages/amazon-bedrock/src/__fixtures__/amazon-bedrock-text.json
const TEXT = {
  metrics: { latencyMs: 1864 },
  output: {
    message: {
      content: [{ text: 'There are **3** "r"s in "strawberry."' }],
      role: 'assistant',
    },
  },
  stopReason: 'end_turn',
  usage: {
    cacheReadInputTokenCount: 0,
    cacheReadInputTokens: 0,
    cacheWriteInputTokenCount: 0,
    cacheWriteInputTokens: 0,
    inputTokens: 22,
    outputTokens: 57,
    serverToolUsage: {},
    totalTokens: 79,
  },
};

describe('Bedrock Converse', () => {
  it('reads a response; Converse names no model', () => {
    expect(readProviderPayload(TEXT, 'aws.bedrock')).toEqual({
      usage: { promptTokens: 22, completionTokens: 57, totalTokens: 79, cachedInputTokens: 0, cacheWriteTokens: 0 },
      finishReasons: ['stop'],
    });
  });

  it('adds cache reads and writes to inputTokens for the inclusive prompt', () => {
    // Counts from vercel/ai packages/amazon-bedrock/src/__fixtures__/issue-19686-usage-raw.json.
    const body = {
      ...TEXT,
      usage: { inputTokens: 13, outputTokens: 4, cacheReadInputTokens: 3, cacheWriteInputTokens: 2, totalTokens: 22 },
    };
    expect(readProviderPayload(body)?.usage).toEqual({
      promptTokens: 13 + 3 + 2,
      completionTokens: 4,
      totalTokens: 22,
      cachedInputTokens: 3,
      cacheWriteTokens: 2,
    });
  });

  it.each([
    ['tool_use', 'tool_calls'],
    ['max_tokens', 'length'],
    ['guardrail_intervened', 'content_filter'],
  ])('maps stopReason %s to %s', (stopReason, expected) => {
    expect(readProviderPayload({ ...TEXT, stopReason })?.finishReasons).toEqual([expected]);
  });

  it('reads the flat error body', () => {
    // vercel/ai packages/amazon-bedrock/src/__fixtures__/amazon-bedrock-validation-error-no-type.json
    const body = {
      message: "This model doesn't support the image field for user messages. Remove image and try again.",
    };
    expect(readProviderPayload(body, 'aws.bedrock')).toEqual({ error: { message: body.message } });
    expect(readProviderPayload({ ...body, type: 'ValidationException' }, 'aws.bedrock')).toEqual({
      error: { type: 'ValidationException', message: body.message },
    });
  });

  describe('ConverseStream events', () => {
    // vercel/ai packages/amazon-bedrock/src/__fixtures__/bedrock-text.chunks.txt (fewer deltas)
    const EVENTS = [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Let' } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: ' me count the "' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { additionalModelResponseFields: { delta: { stop_sequence: null } }, stopReason: 'end_turn' } },
      {
        metadata: {
          metrics: { latencyMs: 2040 },
          usage: { inputTokens: 22, outputTokens: 55, serverToolUsage: {}, totalTokens: 77 },
        },
      },
    ];

    it('takes the stop reason from messageStop and usage from metadata', () => {
      expect(readProviderPayload(EVENTS, 'aws.bedrock')).toEqual({
        usage: { promptTokens: 22, completionTokens: 55, totalTokens: 77 },
        finishReasons: ['stop'],
      });
    });

    it('reads an exception event as the error, named by its member', () => {
      const events = [...EVENTS.slice(0, 3), { throttlingException: { message: 'Too many requests, please wait before trying again.' } }];
      expect(readProviderPayload(events)).toEqual({
        error: { type: 'throttlingException', message: 'Too many requests, please wait before trying again.' },
      });
    });
  });
});
