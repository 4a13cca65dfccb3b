import { describe, expect, it } from 'vitest';
import { readProviderPayload } from '../../../src/providers/index.js';

// vercel/ai packages/anthropic/src/__fixtures__/anthropic-text.json
const TEXT = {
  model: 'claude-opus-4-7',
  id: 'msg_01TestTextResponse',
  type: 'message',
  role: 'assistant',
  content: [{ type: 'text', text: 'Hello!' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 10,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: 5,
    service_tier: 'standard',
  },
};

// The final counts of vercel/ai
// packages/anthropic/src/__fixtures__/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt
const CACHED = {
  ...TEXT,
  model: 'claude-sonnet-5',
  usage: {
    input_tokens: 6,
    cache_creation_input_tokens: 3337,
    cache_read_input_tokens: 6289,
    output_tokens: 198,
    output_tokens_details: { thinking_tokens: 0 },
    server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
  },
};

describe('Anthropic Messages', () => {
  it('adds cache reads and writes to input_tokens for the inclusive prompt', () => {
    expect(readProviderPayload(CACHED, 'anthropic')).toEqual({
      usage: {
        promptTokens: 6 + 6289 + 3337,
        completionTokens: 198,
        totalTokens: 6 + 6289 + 3337 + 198,
        cachedInputTokens: 6289,
        cacheWriteTokens: 3337,
        reasoningTokens: 0,
      },
      model: 'claude-sonnet-5',
      finishReasons: ['stop'],
    });
  });

  it('reports zero cache counts the provider states', () => {
    expect(readProviderPayload(TEXT)).toEqual({
      usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15, cachedInputTokens: 0, cacheWriteTokens: 0 },
      model: 'claude-opus-4-7',
      finishReasons: ['stop'],
    });
  });

  it('reads thinking tokens as reasoning inside output_tokens', () => {
    const body = {
      ...TEXT,
      usage: { input_tokens: 52, output_tokens: 1841, output_tokens_details: { thinking_tokens: 1500 } },
    };
    expect(readProviderPayload(body)?.usage).toEqual({
      promptTokens: 52,
      completionTokens: 1841,
      totalTokens: 1893,
      reasoningTokens: 1500,
    });
  });

  it.each([
    ['tool_use', 'tool_calls'],
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop'],
    ['refusal', 'content_filter'],
  ])('maps stop_reason %s to %s', (stopReason, expected) => {
    expect(readProviderPayload({ ...TEXT, stop_reason: stopReason })?.finishReasons).toEqual([expected]);
  });

  it('reads the error body', () => {
    // vercel/ai packages/anthropic/src/__fixtures__/anthropic-issue-17366-error.json
    const body = {
      type: 'error',
      error: {
        type: 'invalid_request_error',
        message:
          'messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: srvtoolu_issue_17366_invalid. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.',
      },
      request_id: 'req_011Cd65WVh8Zrvno3NunpJ73',
    };
    expect(readProviderPayload(body, 'anthropic')).toEqual({
      error: { type: 'invalid_request_error', message: body.error.message },
    });
  });

  describe('streaming events', () => {
    it('overlays cumulative message_delta counts, cache included, on message_start', () => {
      // vercel/ai packages/anthropic/src/__fixtures__/anthropic-code-execution-20260120-prompt-cache.1.chunks.txt
      const events = [
        {
          type: 'message_start',
          message: {
            model: 'claude-sonnet-5',
            id: 'msg_011CdYfpjpVtBoXyXCQD1tQP',
            type: 'message',
            role: 'assistant',
            content: [],
            stop_reason: null,
            stop_sequence: null,
            usage: {
              input_tokens: 2,
              cache_creation_input_tokens: 3068,
              cache_read_input_tokens: 0,
              cache_creation: { ephemeral_5m_input_tokens: 3068, ephemeral_1h_input_tokens: 0 },
              output_tokens: 69,
              service_tier: 'standard',
            },
          },
        },
        { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
        { type: 'ping' },
        { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'The sum is **650**.' } },
        { type: 'content_block_stop', index: 0 },
        {
          type: 'message_delta',
          delta: { stop_reason: 'end_turn', stop_sequence: null },
          usage: CACHED.usage,
        },
        { type: 'message_stop' },
      ];
      expect(readProviderPayload(events, 'anthropic')).toEqual(readProviderPayload(CACHED));
    });

    it('keeps message_start input and cache counts when message_delta reports only output_tokens', () => {
      const events = [
        {
          type: 'message_start',
          message: {
            id: 'msg_01',
            type: 'message',
            role: 'assistant',
            model: 'claude-3-5-haiku-20241022',
            content: [],
            stop_reason: null,
            usage: {
              input_tokens: 25,
              cache_creation_input_tokens: 0,
              cache_read_input_tokens: 1200,
              output_tokens: 1,
            },
          },
        },
        {
          type: 'message_delta',
          delta: { stop_reason: 'max_tokens', stop_sequence: null },
          usage: { output_tokens: 15 },
        },
        { type: 'message_stop' },
      ];
      expect(readProviderPayload(events)).toEqual({
        usage: {
          promptTokens: 1225,
          completionTokens: 15,
          totalTokens: 1240,
          cachedInputTokens: 1200,
          cacheWriteTokens: 0,
        },
        model: 'claude-3-5-haiku-20241022',
        finishReasons: ['length'],
      });
    });

    it('reads an error event after message_start', () => {
      const events = [
        {
          type: 'message_start',
          message: { ...TEXT, stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } },
        },
        { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } },
      ];
      expect(readProviderPayload(events)).toEqual({
        usage: { promptTokens: 10, completionTokens: 1, totalTokens: 11 },
        error: { type: 'overloaded_error', message: 'Overloaded' },
        model: 'claude-opus-4-7',
      });
    });
  });
});
