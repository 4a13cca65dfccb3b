import { describe, expect, it } from 'vitest';
import type { LlmCall } from '../../../src/model/llm-call.js';
import { MAX_ERROR_MESSAGE_LENGTH } from '../../../src/model/normalize.js';
import { truncationMarker } from '../../../src/model/payload-marker.js';
import { createPricer, PRICE_TABLE_VERSION } from '../../../src/pricing/index.js';
import { REDACTED } from '../../../src/redaction/credentials.js';
import { toLlmRow } from '../../../src/rows/llm-row.js';
import { insertableColumns } from '../../../src/schema/ddl.js';
import { makeSpan } from '../../support/spans.js';
import { NO_USAGE } from '../../support/token-truth.js';

// 1.2345678 s from a start 0.1 s into its second.
const SPAN = makeSpan({
  name: 'chat test-model',
  spanId: '1111111111111111',
  parentSpanId: '2222222222222222',
  startTime: [1_795_346_763, 100_000_000],
  endTime: [1_795_346_764, 334_567_800],
  resource: { 'service.name': 'billing-agent' },
});

// USD per million tokens; the fresh input is what remains of the prompt after both cache buckets.
const PRICER = createPricer({
  prices: [{ model: 'test-model', inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3, cacheWritePerMillion: 3.75 }],
});

const FULL_CALL: LlmCall = {
  id: 'call-1',
  organizationId: 'org-1',
  projectId: 'project-1',
  agentId: 'agent-1',
  runId: 'run-1',
  stepId: 'step-1',
  conversationId: 'conversation-1',
  userId: 'user-1',
  agentTags: ['support', 'beta'],
  billing: { planType: 'pro', costSource: 'byok', customerId: 'customer-1' },
  callType: 'chat',
  provider: 'openai',
  model: 'test-model',
  requestModel: 'test-model-latest',
  isByok: true,
  usage: {
    promptTokens: 1000,
    completionTokens: 500,
    totalTokens: 1500,
    cachedInputTokens: 200,
    cacheWriteTokens: 100,
    reasoningTokens: 120,
  },
  timeToFirstTokenMs: 321.6,
  finishReasons: ['stop'],
  requestJson: '{"messages":[{"role":"user","content":"héllo"}]}',
  responseJson: '{"choices":[]}',
  llmConfigJson: '{"temperature":0.2}',
  metadata: { feature: 'refunds' },
};

describe('toLlmRow', () => {
  it('has exactly the insertable columns of ddl/llm_traces.sql, for a full call and for an empty one', () => {
    const columns = insertableColumns('llm_traces').sort();
    expect(Object.keys(toLlmRow(SPAN, FULL_CALL, { pricer: PRICER })).sort()).toEqual(columns);
    expect(Object.keys(toLlmRow(makeSpan(), {})).sort()).toEqual(columns);
  });

  it('writes every column of a fully reported call from the call and its span', () => {
    expect(toLlmRow(SPAN, FULL_CALL, { pricer: PRICER })).toEqual({
      id: 'call-1',
      organization_id: 'org-1',
      project_id: 'project-1',
      agent_id: 'agent-1',
      agent_tags: ['support', 'beta'],
      run_id: 'run-1',
      step_id: 'step-1',
      conversation_id: 'conversation-1',
      user_id: 'user-1',
      trace_id: '5b8aa5a2d2c872e8321cf37308d69df2',
      span_id: '1111111111111111',
      parent_span_id: '2222222222222222',
      service_name: 'billing-agent',
      span_name: 'chat test-model',
      call_type: 'chat',
      provider: 'openai',
      model: 'test-model',
      request_model: 'test-model-latest',
      is_byok: true,
      // UTF-8 bytes: the é is two.
      request_size_bytes: 49,
      response_size_bytes: 14,
      payload_truncated: false,
      has_usage: true,
      prompt_tokens: 1000,
      completion_tokens: 500,
      total_tokens: 1500,
      cached_input_tokens: 200,
      cache_write_tokens: 100,
      reasoning_tokens: 120,
      latency_ms: 1235,
      time_to_first_token_ms: 322,
      is_error: false,
      error_type: '',
      error_message: '',
      finish_reasons: ['stop'],
      request_json: FULL_CALL.requestJson,
      response_json: '{"choices":[]}',
      llm_config_json: '{"temperature":0.2}',
      metadata: { feature: 'refunds' },
      billing_plan_type: 'pro',
      billing_cost_source: 'byok',
      billing_customer_id: 'customer-1',
      // 700 fresh × $3 + 200 read × $0.30 + 100 written × $3.75 + 500 out × $15, per million.
      cost_usd: '0.010035',
      input_cost_usd: '0.0021',
      cached_input_cost_usd: '0.00006',
      cache_write_cost_usd: '0.000375',
      output_cost_usd: '0.0075',
      cost_source: `price_table:${PRICE_TABLE_VERSION}+user`,
      created_at: '1795346763.100000',
    });
  });

  it('stores unreported usage as NULL or flagged by has_usage, never a made-up 0, and no cost for it', () => {
    const row = toLlmRow(SPAN, { provider: 'openai', requestModel: 'test-model' }, { pricer: PRICER });
    expect(row).toMatchObject({
      // Non-nullable counts are 0 only together with has_usage = false; the others NULL.
      ...NO_USAGE,
      time_to_first_token_ms: null,
      cost_usd: null,
      input_cost_usd: null,
      cached_input_cost_usd: null,
      cache_write_cost_usd: null,
      output_cost_usd: null,
      cost_source: '',
      // The answering model is unknown: the requested one stands in.
      model: 'test-model',
      request_model: 'test-model',
    });
  });

  it('keeps details that were not reported NULL beside counts that were, and sums a missing total', () => {
    const row = toLlmRow(SPAN, { usage: { promptTokens: 40, completionTokens: 2 } });
    expect(row).toMatchObject({
      has_usage: true,
      prompt_tokens: 40,
      completion_tokens: 2,
      total_tokens: 42,
      cached_input_tokens: null,
      cache_write_tokens: null,
      reasoning_tokens: null,
    });
    // A reported zero stays a zero.
    expect(toLlmRow(SPAN, { usage: { promptTokens: 40, cachedInputTokens: 0 } })).toMatchObject({
      cached_input_tokens: 0,
      total_tokens: 40,
    });
  });

  it('fills ids, tags and billing it does not know with empty values and the span id', () => {
    const row = toLlmRow(makeSpan({ spanId: 'abcdefabcdefabcd' }), {});
    expect(row).toMatchObject({
      id: 'abcdefabcdefabcd',
      organization_id: '',
      project_id: '',
      agent_id: '',
      agent_tags: [],
      run_id: '',
      step_id: '',
      conversation_id: '',
      user_id: '',
      billing_plan_type: '',
      billing_cost_source: '',
      billing_customer_id: '',
      parent_span_id: '',
      is_byok: false,
      metadata: {},
      finish_reasons: [],
    });
  });

  it('writes a cost the span reports as exact decimals, source `provided`, ahead of the price table', () => {
    const row = toLlmRow(SPAN, { ...FULL_CALL, providedCost: { totalUsd: 0.1 + 0.2, inputUsd: 0.1, outputUsd: 0.2 } }, { pricer: PRICER });
    expect(row).toMatchObject({
      cost_usd: '0.3',
      input_cost_usd: '0.1',
      output_cost_usd: '0.2',
      cached_input_cost_usd: null,
      cache_write_cost_usd: null,
      cost_source: 'provided',
    });
  });

  it('leaves the cost NULL for a model without a price', () => {
    const row = toLlmRow(SPAN, { ...FULL_CALL, model: 'unpriced-model', requestModel: 'unpriced-model' }, { pricer: PRICER });
    expect(row).toMatchObject({ cost_usd: null, input_cost_usd: null, output_cost_usd: null, cost_source: '' });
  });

  it('marks a failed call: the error finish reason, the type, the message redacted and capped', () => {
    const key = 'sk-proj-abcdefghijklmnopqrstuvwx';
    const row = toLlmRow(SPAN, { error: { type: 'RateLimitError', message: `Incorrect API key provided: ${key}. ${'x'.repeat(2000)}` } });
    expect(row).toMatchObject({ is_error: true, error_type: 'RateLimitError', finish_reasons: ['error'], has_usage: false });
    expect(row.error_message).toHaveLength(MAX_ERROR_MESSAGE_LENGTH);
    expect(row.error_message.startsWith(`Incorrect API key provided: ${REDACTED}. xxx`)).toBe(true);
    expect(row.error_message).not.toContain('sk-proj');
    // A finish reason the span reports is kept.
    expect(toLlmRow(SPAN, { error: { type: 'Timeout' }, finishReasons: ['length'] }).finish_reasons).toEqual(['length']);
  });

  it('cuts payloads over the cap with the marker, flags payload_truncated and keeps the original sizes', () => {
    const request = JSON.stringify({ prompt: 'p'.repeat(500) });
    const row = toLlmRow(SPAN, { requestJson: request, responseJson: '{"ok":true}' }, { payloads: { store: true, maxBytes: 200 } });
    const marker = truncationMarker(request.length);
    expect(row.payload_truncated).toBe(true);
    expect(row.request_size_bytes).toBe(request.length);
    expect(row.request_json).toBe(request.slice(0, 200 - Buffer.byteLength(marker)) + marker);
    expect(row.response_json).toBe('{"ok":true}');
    expect(row.response_size_bytes).toBe(11);
    // A cut config alone marks the row too.
    const config = toLlmRow(SPAN, { llmConfigJson: 'c'.repeat(300) }, { payloads: { store: true, maxBytes: 200 } });
    expect(config).toMatchObject({ payload_truncated: true, request_json: '', request_size_bytes: 0 });
  });

  it('stores no payload text when payloads are off, and still their sizes, unmarked', () => {
    const row = toLlmRow(SPAN, FULL_CALL, { payloads: { store: false, maxBytes: 10 } });
    expect(row).toMatchObject({
      request_json: '',
      response_json: '',
      llm_config_json: '',
      request_size_bytes: 49,
      response_size_bytes: 14,
      payload_truncated: false,
    });
  });

  it.each([
    [-5, null],
    [Number.NaN, null],
    [Number.POSITIVE_INFINITY, null],
    [0, 0],
    [1e12, 4_294_967_295],
  ])('stores a time to first token of %s ms as %s (UInt32, NULL when not a duration)', (reported, stored) => {
    expect(toLlmRow(SPAN, { timeToFirstTokenMs: reported }).time_to_first_token_ms).toBe(stored);
  });
});
