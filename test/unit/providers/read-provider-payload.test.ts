import { describe, expect, it } from 'vitest';
import { MAX_ERROR_MESSAGE_LENGTH } from '../../../src/model/normalize.js';
import { readProviderPayload } from '../../../src/providers/index.js';

const chat = (usage: unknown) => ({ object: 'chat.completion', model: 'gpt-4o-mini', choices: [], usage });

describe('readProviderPayload', () => {
  describe('malformed input', () => {
    it.each([
      ['text that is not JSON', 'upstream connect error or disconnect/reset before headers'],
      ['truncated JSON', '{"usage": {"prompt_tokens": 1'],
      ['an empty string', ''],
      ['JSON null', 'null'],
      ['a JSON number', '42'],
      ['a JSON string', '"ok"'],
      ['a number', 42],
      ['null', null],
      ['undefined', undefined],
      ['an empty object', {}],
      ['an unrelated object', { status: 'ok', items: [1, 2] }],
      ['an empty array', []],
      ['an array of junk', [1, 'x', null, {}, 'not json', [[]], { foo: 'bar' }]],
    ])('answers undefined for %s', (_label, input) => {
      expect(readProviderPayload(input)).toBeUndefined();
    });

    it('never throws, even when reading the payload does', () => {
      const hostile = new Proxy(
        {},
        {
          get() {
            throw new Error('boom');
          },
          ownKeys() {
            throw new Error('boom');
          },
        },
      );
      expect(() => readProviderPayload(hostile)).not.toThrow();
      expect(readProviderPayload(hostile)).toBeUndefined();
    });

    it('reads numeric strings and leaves out negatives, NaN, Infinity and non-numbers', () => {
      const body = chat({
        prompt_tokens: '1200',
        completion_tokens: -3,
        total_tokens: Number.NaN,
        prompt_tokens_details: { cached_tokens: Number.POSITIVE_INFINITY },
        completion_tokens_details: { reasoning_tokens: '12abc' },
      });
      expect(readProviderPayload(body)?.usage).toEqual({ promptTokens: 1200 });
    });

    it('keeps fractional counts as reported, never rounded into plausible ones (the row drops them: llm-row-tokens.test.ts)', () => {
      expect(readProviderPayload(chat({ prompt_tokens: 10.6, completion_tokens: 2.2 }))?.usage).toMatchObject({
        promptTokens: 10.6,
        completionTokens: 2.2,
      });
    });

    it('skips junk among stream chunks', () => {
      const chunks = [
        'data: [DONE]',
        null,
        7,
        {
          object: 'chat.completion.chunk',
          model: 'gpt-4o-mini',
          choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
        },
        {
          object: 'chat.completion.chunk',
          model: 'gpt-4o-mini',
          choices: [],
          usage: { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 },
        },
      ];
      expect(readProviderPayload(chunks)).toEqual({
        usage: { promptTokens: 9, completionTokens: 3, totalTokens: 12 },
        model: 'gpt-4o-mini',
        finishReasons: ['stop'],
      });
    });
  });

  describe('usage semantics', () => {
    it('reports usage that is present but all zero', () => {
      expect(readProviderPayload(chat({ prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }))?.usage).toEqual({
        promptTokens: 0,
        completionTokens: 0,
        totalTokens: 0,
      });
    });

    it('leaves usage out when the body has none, or an empty or null one', () => {
      expect(readProviderPayload(chat(undefined))).toEqual({ model: 'gpt-4o-mini' });
      expect(readProviderPayload(chat(null))).toEqual({ model: 'gpt-4o-mini' });
      expect(readProviderPayload(chat({}))).toEqual({ model: 'gpt-4o-mini' });
    });

    it("keeps the provider's total even when it differs from prompt + completion", () => {
      expect(readProviderPayload(chat({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 16 }))?.usage?.totalTokens).toBe(16);
    });
  });

  describe('format choice', () => {
    it('tells Anthropic from OpenAI Responses by their usage details when no marker is present', () => {
      expect(readProviderPayload({ usage: { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 90 } })?.usage).toEqual({
        promptTokens: 100,
        completionTokens: 5,
        totalTokens: 105,
        cachedInputTokens: 90,
      });
      expect(
        readProviderPayload({
          usage: { input_tokens: 100, input_tokens_details: { cached_tokens: 90 }, output_tokens: 5 },
        })?.usage,
      ).toEqual({ promptTokens: 100, completionTokens: 5, totalTokens: 105, cachedInputTokens: 90 });
    });

    it('lets the shape decide when the hinted provider has no format for it', () => {
      // Claude on Bedrock's InvokeModel returns the Anthropic body.
      const claudeOnBedrock = {
        id: 'msg_bdrk_01',
        type: 'message',
        role: 'assistant',
        model: 'claude-3-5-sonnet-20241022',
        content: [{ type: 'text', text: 'Hi' }],
        stop_reason: 'end_turn',
        usage: { input_tokens: 12, cache_read_input_tokens: 1000, cache_creation_input_tokens: 0, output_tokens: 4 },
      };
      expect(readProviderPayload(claudeOnBedrock, 'aws.bedrock')?.usage?.promptTokens).toBe(1012);
      expect(readProviderPayload(claudeOnBedrock, 'azure.ai.openai')?.usage?.promptTokens).toBe(1012);
    });

    it('normalizes a raw provider hint', () => {
      const body = chat({ prompt_tokens: 3120, completion_tokens: 85, num_cached_tokens: 2944 });
      expect(readProviderPayload(body, 'Mistral')?.usage?.cachedInputTokens).toBe(2944);
    });

    it('reads a flat `{message}` error without a hint', () => {
      expect(readProviderPayload({ message: 'Too many tokens' })).toEqual({ error: { message: 'Too many tokens' } });
    });
  });

  describe('errors', () => {
    it("prefers this package's top-level error_type / error_message over the nested error", () => {
      const body = {
        error_type: 'RateLimitError',
        error_message: 'Rate limit reached for gpt-4o',
        error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' },
      };
      expect(readProviderPayload(body, 'openai')).toEqual({
        error: { type: 'RateLimitError', message: 'Rate limit reached for gpt-4o' },
      });
    });

    it('reads error_type / error_message alone, and next to a usage body', () => {
      expect(readProviderPayload({ error_type: 'TimeoutError' })).toEqual({ error: { type: 'TimeoutError' } });
      expect(readProviderPayload({ ...chat({ prompt_tokens: 7, completion_tokens: 0 }), error_message: 'client aborted' })).toEqual({
        usage: { promptTokens: 7, completionTokens: 0, totalTokens: 7 },
        error: { message: 'client aborted' },
        model: 'gpt-4o-mini',
      });
    });

    it('falls back to the provider error when the own keys are empty', () => {
      const body = {
        error_type: '',
        error_message: null,
        error: { message: 'Bad gateway', type: 'server_error', code: null },
      };
      expect(readProviderPayload(body)?.error).toEqual({ type: 'server_error', message: 'Bad gateway' });
    });

    it('caps error messages at 1000 characters', () => {
      const message = 'x'.repeat(5000);
      const error = readProviderPayload({ error: { message, type: 'invalid_request_error' } })?.error;
      expect(MAX_ERROR_MESSAGE_LENGTH).toBe(1000);
      expect(error?.message).toBe('x'.repeat(1000));
      expect(readProviderPayload({ error_message: message })?.error?.message).toHaveLength(1000);
    });

    it('does not cut a surrogate pair in half at the cap', () => {
      const message = 'x'.repeat(999) + '😀' + 'tail';
      expect(readProviderPayload({ error: 'x'.repeat(999) + '😀' })?.error?.message).toBe('x'.repeat(999));
      expect(readProviderPayload({ error: message })?.error?.message).toBe('x'.repeat(999));
    });

    it('reads a message-only string error', () => {
      expect(readProviderPayload('{"error":"context deadline exceeded"}')).toEqual({
        error: { message: 'context deadline exceeded' },
      });
    });
  });
});
