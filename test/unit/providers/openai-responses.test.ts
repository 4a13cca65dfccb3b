import { describe, expect, it } from 'vitest';
import { readProviderPayload } from '../../../src/providers/index.js';

// vercel/ai packages/openai/src/responses/__fixtures__/openai-reasoning-encrypted-content.1.json
// (output items shortened, request echo fields kept).
const COMPLETED = {
  id: 'resp_0f35ed53160b395301693cc957829881909359e7f80cdd20b5',
  object: 'response',
  created_at: 1765591383,
  status: 'completed',
  background: false,
  billing: { payer: 'developer' },
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  model: 'gpt-5-mini-2025-08-07',
  output: [
    { id: 'rs_0f35', type: 'reasoning', encrypted_content: 'gAAAAABpPMlc', summary: [] },
    {
      id: 'msg_0f35',
      type: 'message',
      status: 'completed',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: 'Final result: 570' }],
      role: 'assistant',
    },
  ],
  parallel_tool_calls: true,
  reasoning: { effort: 'high', summary: 'detailed' },
  service_tier: 'default',
  store: false,
  temperature: 1,
  usage: {
    input_tokens: 865,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 163,
    output_tokens_details: { reasoning_tokens: 128 },
    total_tokens: 1028,
  },
  user: null,
  metadata: {},
};

// vercel/ai packages/openai/src/responses/__fixtures__/openai-response-failed-only.1.chunks.txt
const FAILED = {
  id: 'resp_test_failed_001',
  object: 'response',
  created_at: 1763474589,
  status: 'failed',
  background: false,
  error: {
    code: 'rate_limit_exceeded',
    message: 'Request too large for gpt-4o-mini in organization on tokens per min (TPM): Limit 30000, Requested 35364.',
  },
  incomplete_details: null,
  model: 'gpt-4o-mini',
  output: [],
  usage: null,
};

describe('OpenAI Responses', () => {
  it('reads a completed response; `error: null` is not an error', () => {
    expect(readProviderPayload(COMPLETED)).toEqual({
      usage: {
        promptTokens: 865,
        completionTokens: 163,
        totalTokens: 1028,
        cachedInputTokens: 0,
        reasoningTokens: 128,
      },
      model: 'gpt-5-mini-2025-08-07',
      finishReasons: ['stop'],
    });
  });

  it('reads cached input tokens as a subset of the input', () => {
    const body = {
      ...COMPLETED,
      usage: {
        input_tokens: 5230,
        input_tokens_details: { cached_tokens: 4864 },
        output_tokens: 91,
        output_tokens_details: { reasoning_tokens: 64 },
        total_tokens: 5321,
      },
    };
    expect(readProviderPayload(body, 'openai')?.usage).toEqual({
      promptTokens: 5230,
      completionTokens: 91,
      totalTokens: 5321,
      cachedInputTokens: 4864,
      reasoningTokens: 64,
    });
  });

  it('reads a failed response: the error object, the model, no usage and no finish reason', () => {
    expect(readProviderPayload(FAILED, 'openai')).toEqual({
      error: { type: 'rate_limit_exceeded', message: FAILED.error.message },
      model: 'gpt-4o-mini',
    });
  });

  it.each([
    ['max_output_tokens', 'length'],
    ['content_filter', 'content_filter'],
  ])('maps incomplete_details.reason %s to %s', (reason, expected) => {
    const body = { ...COMPLETED, status: 'incomplete', incomplete_details: { reason } };
    expect(readProviderPayload(body)?.finishReasons).toEqual([expected]);
  });

  it('reports a turn that ends in a function call as tool_calls', () => {
    const body = {
      ...COMPLETED,
      output: [
        {
          type: 'function_call',
          id: 'fc_1',
          call_id: 'call_1',
          name: 'calculator',
          arguments: '{"a":12,"b":7,"op":"add"}',
          status: 'completed',
        },
      ],
    };
    expect(readProviderPayload(body)?.finishReasons).toEqual(['tool_calls']);
  });

  it('reports no finish reason while the response is still in progress', () => {
    const body = { ...COMPLETED, status: 'in_progress', usage: null };
    expect(readProviderPayload(body)).toEqual({ model: 'gpt-5-mini-2025-08-07' });
  });

  describe('streaming events', () => {
    const created = {
      type: 'response.created',
      sequence_number: 0,
      response: { ...COMPLETED, status: 'in_progress', output: [], usage: null },
    };

    it('takes usage and finish reason from response.completed', () => {
      const events = [
        created,
        { type: 'response.in_progress', sequence_number: 1, response: created.response },
        {
          type: 'response.output_text.delta',
          sequence_number: 2,
          item_id: 'msg_0f35',
          output_index: 1,
          content_index: 0,
          delta: 'Final',
        },
        { type: 'response.completed', sequence_number: 3, response: COMPLETED },
      ];
      expect(readProviderPayload(events, 'openai')).toEqual(readProviderPayload(COMPLETED));
    });

    it('reads an error event followed by response.failed', () => {
      // vercel/ai packages/openai/src/responses/__fixtures__/openai-error.1.chunks.txt
      const message =
        'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.';
      const events = [
        {
          type: 'response.created',
          sequence_number: 0,
          response: { ...FAILED, model: 'gpt-5-nano-2025-08-07', status: 'in_progress', error: null },
        },
        {
          type: 'error',
          sequence_number: 2,
          error: { type: 'insufficient_quota', code: 'insufficient_quota', message, param: null },
        },
        {
          type: 'response.failed',
          sequence_number: 3,
          response: { ...FAILED, model: 'gpt-5-nano-2025-08-07', error: { code: 'insufficient_quota', message } },
        },
      ];
      expect(readProviderPayload(events)).toEqual({
        error: { type: 'insufficient_quota', message },
        model: 'gpt-5-nano-2025-08-07',
      });
    });

    it('reads a flat error event when the stream ends without a terminal response', () => {
      const events = [
        created,
        {
          type: 'error',
          sequence_number: 1,
          code: 'server_error',
          message: 'The server had an error processing your request.',
          param: null,
        },
      ];
      expect(readProviderPayload(events)).toEqual({
        error: { type: 'server_error', message: 'The server had an error processing your request.' },
        model: 'gpt-5-mini-2025-08-07',
      });
    });

    it('reads a single terminal event passed on its own', () => {
      const event = { type: 'response.completed', sequence_number: 3, response: COMPLETED };
      expect(readProviderPayload(event)).toEqual(readProviderPayload(COMPLETED));
    });
  });
});
