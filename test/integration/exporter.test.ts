import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../src/exporter.js';
import { LlmContextSpanProcessor, withLlmContext } from '../../src/context.js';
import { useTestStore } from '../support/store.js';
import { makeSpan } from '../support/spans.js';
import { loadFixture } from '../support/span-fixtures.js';

type Spans = Parameters<ClickHouseTraceExporter['export']>[0];

/** The export's answer, which comes once its rows are accepted (before they are stored). */
function exportOnly(exporter: ClickHouseTraceExporter, spans: Spans): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** Exports, then flushes: the rows are stored (or counted as dropped) when it resolves. */
async function exportSpans(exporter: ClickHouseTraceExporter, spans: Spans): Promise<ExportResult> {
  const result = await exportOnly(exporter, spans);
  await exporter.forceFlush();
  return result;
}

describe('ClickHouseTraceExporter on embedded ClickHouse', () => {
  const store = useTestStore();
  let exporter: ClickHouseTraceExporter;

  beforeAll(async () => {
    exporter = new ClickHouseTraceExporter({ client: store.client, database: 'otel' });
    await exporter.ready();
  });
  afterAll(async () => {
    await exporter?.shutdown();
  });

  it('writes a span to otel_traces exactly as the Collector does', async () => {
    const span = makeSpan({
      name: 'GET /users',
      kind: SpanKind.SERVER,
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '00f067aa0ba902b7',
      startTime: [1_795_346_763, 970_123_457],
      endTime: [1_795_346_764, 20_123_458],
      status: { code: SpanStatusCode.ERROR, message: 'boom' },
      attributes: { 'http.status_code': 500, ok: false, ratio: 0.25, tags: ['a', 'b'], nums: [1, 2] },
      events: [{ name: 'exception', time: [1_795_346_763, 999_000_001], attributes: { 'exception.type': 'TypeError' } }],
      links: [
        { context: { traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceFlags: 1 }, attributes: { k: 'v' } },
      ],
      resource: { 'service.name': 'api', 'host.cores': 8 },
      scope: { name: '@opentelemetry/instrumentation-http', version: '0.200.0' },
    });
    expect(await exportSpans(exporter, [span])).toEqual({ code: ExportResultCode.SUCCESS });
    const [row] = await store.rows(
      `SELECT toString(Timestamp) AS ts, toUnixTimestamp64Nano(Timestamp) AS ns, TraceId, SpanId, ParentSpanId, SpanName, SpanKind,
              ServiceName, ResourceAttributes, ScopeName, ScopeVersion, SpanAttributes, toString(Duration) AS Duration, StatusCode,
              StatusMessage, arrayMap(t -> toString(toUnixTimestamp64Nano(t)), Events.Timestamp) AS EventNs, Events.Name, Events.Attributes,
              Links.TraceId, Links.SpanId, Links.Attributes
       FROM otel.otel_traces WHERE SpanId = 'b7ad6b7169203331'`,
    );
    expect(row).toMatchObject({
      ts: '2026-11-22 11:26:03.970123457',
      TraceId: '0af7651916cd43dd8448eb211c80319c',
      SpanId: 'b7ad6b7169203331',
      ParentSpanId: '00f067aa0ba902b7',
      SpanName: 'GET /users',
      SpanKind: 'Server',
      ServiceName: 'api',
      ResourceAttributes: { 'service.name': 'api', 'host.cores': '8' },
      ScopeName: '@opentelemetry/instrumentation-http',
      ScopeVersion: '0.200.0',
      SpanAttributes: { 'http.status_code': '500', ok: 'false', ratio: '0.25', tags: '["a","b"]', nums: '[1,2]' },
      Duration: '50000001',
      StatusCode: 'Error',
      StatusMessage: 'boom',
      EventNs: ['1795346763999000001'],
      'Events.Name': ['exception'],
      'Events.Attributes': [{ 'exception.type': 'TypeError' }],
      'Links.TraceId': ['11111111111111111111111111111111'],
      'Links.SpanId': ['2222222222222222'],
      'Links.Attributes': [{ k: 'v' }],
    });
    const [lookup] = await store.rows(
      "SELECT toString(min(Start)) AS start, toString(max(End)) AS end FROM otel.otel_traces_trace_id_ts WHERE TraceId = '0af7651916cd43dd8448eb211c80319c'",
    );
    expect(lookup).toEqual({ start: '2026-11-22 11:26:03', end: '2026-11-22 11:26:03' });
  });

  it('turns a GenAI span into one llm_traces row with inclusive tokens and payloads', async () => {
    const span = makeSpan({
      name: 'chat gpt-4o',
      kind: SpanKind.CLIENT,
      spanId: 'aaaaaaaaaaaaaaa1',
      startTime: [1_795_346_800, 123_456_789],
      endTime: [1_795_346_801, 623_456_789],
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.response.model': 'gpt-4o-2024-08-06',
        'gen_ai.response.id': 'chatcmpl-1',
        'gen_ai.request.temperature': 0.2,
        'gen_ai.usage.input_tokens': 1200,
        'gen_ai.usage.output_tokens': 300,
        'gen_ai.usage.cache_read.input_tokens': 1000,
        'gen_ai.usage.reasoning.output_tokens': 120,
        'gen_ai.response.finish_reasons': ['stop'],
        'gen_ai.response.time_to_first_chunk': 0.35,
        'gen_ai.conversation.id': 'conv-1',
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'hi' }] }]),
        'gen_ai.output.messages': JSON.stringify([
          { role: 'assistant', parts: [{ type: 'text', content: 'hello' }], finish_reason: 'stop' },
        ]),
        'llm_traces.organization_id': 'org-1',
        'llm_traces.agent_id': 'agent-1',
        'llm_traces.run_id': 'run-1',
        'llm_traces.step_id': 'step-1',
        'llm_traces.agent_tags': ['prod', 'beta'],
      },
    });
    expect(await exportSpans(exporter, [span])).toEqual({ code: ExportResultCode.SUCCESS });
    const [row] = await store.rows(
      `SELECT * EXCEPT (created_at, request_json, response_json), toString(created_at) AS created, JSONExtractString(request_json, 'messages', 1, 'role') AS first_role,
              JSONExtractFloat(request_json, 'parameters', 'temperature') AS temperature, JSONExtractString(response_json, 'id') AS response_id
       FROM otel.llm_traces WHERE span_id = 'aaaaaaaaaaaaaaa1'`,
    );
    expect(row).toMatchObject({
      id: 'aaaaaaaaaaaaaaa1',
      organization_id: 'org-1',
      agent_id: 'agent-1',
      agent_tags: ['prod', 'beta'],
      run_id: 'run-1',
      step_id: 'step-1',
      conversation_id: 'conv-1',
      trace_id: '5b8aa5a2d2c872e8321cf37308d69df2',
      service_name: 'test-service',
      span_name: 'chat gpt-4o',
      call_type: 'chat',
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      request_model: 'gpt-4o',
      is_byok: false,
      has_usage: true,
      prompt_tokens: 1200,
      completion_tokens: 300,
      total_tokens: 1500,
      cached_input_tokens: 1000,
      cache_write_tokens: null,
      reasoning_tokens: 120,
      latency_ms: 1500,
      time_to_first_token_ms: 350,
      is_error: false,
      finish_reasons: ['stop'],
      created: '2026-11-22 11:26:40.123456',
      first_role: 'user',
      temperature: 0.2,
      response_id: 'chatcmpl-1',
    });
    // gpt-4o: $2.50 input, $1.25 cached input, $10 output per million tokens.
    // 200 fresh * 2.5 + 1000 cached * 1.25 + 300 output * 10 = 500 + 1250 + 3000 micro-dollars.
    const [cost] = await store.rows(
      "SELECT toString(cost_usd) AS total, toString(input_cost_usd) AS input, toString(cached_input_cost_usd) AS cached, toString(output_cost_usd) AS output, cost_source FROM otel.llm_traces WHERE span_id = 'aaaaaaaaaaaaaaa1'",
    );
    expect(cost).toEqual({
      total: '0.00475',
      input: '0.0005',
      cached: '0.00125',
      output: '0.003',
      cost_source: expect.stringMatching(/^price_table:/),
    });
    const [sizes] = await store.rows<{ request_size_bytes: number; len: number }>(
      "SELECT request_size_bytes, length(request_json) AS len FROM otel.llm_traces WHERE span_id = 'aaaaaaaaaaaaaaa1'",
    );
    expect(sizes!.request_size_bytes).toBe(sizes!.len);
  });

  it('reads raw Anthropic payloads the application attached as llm_traces.* attributes', async () => {
    const span = makeSpan({
      name: 'llm_request',
      spanId: 'aaaaaaaaaaaaaaa2',
      attributes: {
        'llm_traces.id': 'provider_trace-123e4567',
        'llm_traces.call_type': 'agent_step',
        'llm_traces.organization_id': 'org-1',
        'llm_traces.is_byok': true,
        'llm_traces.billing.plan_type': 'pro',
        'llm_traces.billing.customer_id': 'cus_1',
        'llm_traces.request_json': JSON.stringify({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'héllo' }] }),
        'llm_traces.response_json': JSON.stringify({
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: 'claude-sonnet-4-5-20250929',
          stop_reason: 'end_turn',
          content: [{ type: 'text', text: 'hi' }],
          usage: { input_tokens: 200, output_tokens: 50, cache_read_input_tokens: 1000, cache_creation_input_tokens: 300 },
        }),
        'llm_traces.llm_config_json': JSON.stringify({
          model: 'claude-sonnet-4-5',
          model_endpoint_type: 'anthropic',
          provider_category: 'base',
        }),
      },
    });
    expect(await exportSpans(exporter, [span])).toEqual({ code: ExportResultCode.SUCCESS });
    const [row] = await store.rows(
      "SELECT id, call_type, provider, model, request_model, is_byok, prompt_tokens, completion_tokens, total_tokens, cached_input_tokens, cache_write_tokens, finish_reasons, billing_plan_type, billing_customer_id, request_size_bytes, JSONExtractString(request_json, 'messages', 1, 'content') AS content FROM otel.llm_traces WHERE span_id = 'aaaaaaaaaaaaaaa2'",
    );
    expect(row).toEqual({
      id: '123e4567',
      call_type: 'agent_step',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      request_model: 'claude-sonnet-4-5',
      is_byok: true,
      prompt_tokens: 1500,
      completion_tokens: 50,
      total_tokens: 1550,
      cached_input_tokens: 1000,
      cache_write_tokens: 300,
      finish_reasons: ['stop'],
      billing_plan_type: 'pro',
      billing_customer_id: 'cus_1',
      request_size_bytes: Buffer.byteLength(span.attributes['llm_traces.request_json'] as string),
      content: 'héllo',
    });
    // claude-sonnet-4-5: $3 input, $0.30 cache read, $3.75 cache write, $15 output per million tokens.
    // 200 * 3 + 1000 * 0.3 + 300 * 3.75 + 50 * 15 = 600 + 300 + 1125 + 750 micro-dollars.
    const [cost] = await store.rows(
      "SELECT toString(cost_usd) AS total, toString(cache_write_cost_usd) AS write FROM otel.llm_traces WHERE span_id = 'aaaaaaaaaaaaaaa2'",
    );
    expect(cost).toEqual({ total: '0.002775', write: '0.001125' });
  });

  it('records provider errors with the top-level error_type first and the message capped', async () => {
    const span = makeSpan({
      spanId: 'aaaaaaaaaaaaaaa3',
      status: { code: SpanStatusCode.ERROR, message: 'request failed' },
      attributes: {
        'llm_traces.request_json': '{"model":"gpt-4o"}',
        'llm_traces.response_json': JSON.stringify({
          error_type: 'rate_limit',
          error_message: 'x'.repeat(5000),
          error: { type: 'ignored', message: 'ignored' },
        }),
      },
    });
    await exportSpans(exporter, [span]);
    const [row] = await store.rows<{ is_error: boolean; error_type: string; len: number }>(
      "SELECT is_error, error_type, length(error_message) AS len FROM otel.llm_traces WHERE span_id = 'aaaaaaaaaaaaaaa3'",
    );
    expect(row).toEqual({ is_error: true, error_type: 'rate_limit', len: 1000 });
  });

  it('stores a cost the span provides over the price table, and NULL for unknown models', async () => {
    const provided = makeSpan({
      spanId: 'aaaaaaaaaaaaaaa4',
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 10,
        'gen_ai.usage.cost': 0.123456789,
      },
    });
    const unknown = makeSpan({
      spanId: 'aaaaaaaaaaaaaaa5',
      attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'my-finetune-7b', 'gen_ai.usage.input_tokens': 10 },
    });
    await exportSpans(exporter, [provided, unknown]);
    const rows = await store.rows(
      "SELECT span_id, toString(cost_usd) AS total, cost_source FROM otel.llm_traces WHERE span_id IN ('aaaaaaaaaaaaaaa4', 'aaaaaaaaaaaaaaa5') ORDER BY span_id",
    );
    expect(rows).toEqual([
      { span_id: 'aaaaaaaaaaaaaaa4', total: '0.123456789', cost_source: 'provided' },
      { span_id: 'aaaaaaaaaaaaaaa5', total: null, cost_source: '' },
    ]);
  });

  it('writes no llm_traces row for aggregate and ordinary spans', async () => {
    const agent = makeSpan({
      spanId: 'bbbbbbbbbbbbbbb1',
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 10 },
    });
    const http = makeSpan({ spanId: 'bbbbbbbbbbbbbbb2', attributes: { 'http.method': 'GET' } });
    const contextOnly = makeSpan({ spanId: 'bbbbbbbbbbbbbbb3', attributes: { 'llm_traces.agent_id': 'agent-1' } });
    await exportSpans(exporter, [agent, http, contextOnly]);
    const rows = await store.rows("SELECT span_id FROM otel.llm_traces WHERE span_id LIKE 'bbbb%'");
    expect(rows).toEqual([]);
    const spans = await store.rows("SELECT SpanId FROM otel.otel_traces WHERE SpanId LIKE 'bbbb%' ORDER BY SpanId");
    expect(spans).toHaveLength(3);
  });

  it('stores every row of a large export of light and heavy spans once', async () => {
    // Many light spans and two LLM spans with large messages, in one export.
    const traceId = 'eeeeeeeeeeeeeeeeeeeeeeeeeeeee001';
    const light = Array.from({ length: 1100 }, (_, i) =>
      makeSpan({
        traceId,
        spanId: `e${i.toString(16).padStart(15, '0')}`,
        attributes: { 'http.request.method': 'GET', 'url.path': `/items/${i}` },
      }),
    );
    const messages = JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'long context '.repeat(2_000) }] }]);
    const heavy = ['f000000000000001', 'f000000000000002'].map((spanId) =>
      makeSpan({
        traceId,
        spanId,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.input.messages': messages,
        },
      }),
    );
    // Heavy spans in the middle: the order of the export does not matter.
    const result = await exportSpans(exporter, [...light.slice(0, 600), ...heavy, ...light.slice(600)]);
    expect(result.code).toBe(ExportResultCode.SUCCESS);
    const [spans] = await store.rows<{ rows: string; distinct: string }>(
      `SELECT toString(count()) AS rows, toString(uniqExact(SpanId)) AS distinct FROM otel.otel_traces WHERE TraceId = '${traceId}'`,
    );
    expect(spans).toEqual({ rows: '1102', distinct: '1102' });
    const calls = await store.rows<{ span_id: string; request_size_bytes: string }>(
      `SELECT span_id, toString(request_size_bytes) AS request_size_bytes FROM otel.llm_traces WHERE trace_id = '${traceId}' ORDER BY span_id`,
    );
    expect(calls.map((call) => call.span_id)).toEqual(['f000000000000001', 'f000000000000002']);
    expect(Number(calls[0]!.request_size_bytes)).toBeGreaterThan(messages.length);
    // The messages are stored once: in llm_traces, not again in the spans' otel_traces rows.
    const withContent = await store.rows(
      `SELECT SpanId FROM otel.otel_traces WHERE TraceId = '${traceId}' AND mapContains(SpanAttributes, 'gen_ai.input.messages')`,
    );
    expect(withContent).toEqual([]);
  });

  it('copies withLlmContext ids onto spans started deep inside, through a BatchSpanProcessor', async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const batchExporter = new ClickHouseTraceExporter({ client: store.client, database: 'otel', createSchema: false });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'worker' }),
      spanProcessors: [new LlmContextSpanProcessor(), new BatchSpanProcessor(batchExporter)],
    });
    const tracer = provider.getTracer('sdk');
    await withLlmContext(
      { organizationId: 'org-ctx', agentId: 'agent-ctx', runId: 'run-ctx', tags: ['t1'], billing: { planType: 'free' } },
      async () => {
        await withLlmContext({ stepId: 'step-ctx' }, async () => {
          await Promise.resolve();
          const span = tracer.startSpan('chat claude', {
            kind: SpanKind.CLIENT,
            attributes: {
              'gen_ai.operation.name': 'chat',
              'gen_ai.provider.name': 'anthropic',
              'gen_ai.request.model': 'claude-haiku-4-5',
            },
          });
          span.setAttribute('gen_ai.usage.input_tokens', 10);
          span.end();
        });
      },
    );
    await provider.shutdown();
    context.disable();
    const [row] = await store.rows(
      "SELECT organization_id, agent_id, run_id, step_id, agent_tags, billing_plan_type, service_name, has_usage, prompt_tokens, completion_tokens FROM otel.llm_traces WHERE organization_id = 'org-ctx'",
    );
    expect(row).toEqual({
      organization_id: 'org-ctx',
      agent_id: 'agent-ctx',
      run_id: 'run-ctx',
      step_id: 'step-ctx',
      agent_tags: ['t1'],
      billing_plan_type: 'free',
      service_name: 'worker',
      has_usage: true,
      prompt_tokens: 10,
      completion_tokens: 0,
    });
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('counts a call held for its partner span and stores it on forceFlush and on shutdown', async () => {
    const fixture = loadFixture('traceloop-anthropic@0.27/with-native-error-429');
    const inner = fixture.spans.find((span) => span.instrumentationScope.name === 'com.anthropic.sdk.typescript')!;
    const count = async () =>
      (
        await store.rows<{ n: string }>(
          `SELECT toString(count()) AS n FROM otel.llm_traces WHERE span_id = '${inner.spanContext().spanId}'`,
        )
      )[0]!.n;
    // The Anthropic SDK's span comes first, without the instrumentation's span it sits in: it waits.
    expect((await exportOnly(exporter, [inner])).code).toBe(ExportResultCode.SUCCESS);
    expect(exporter.stats()!.heldLlmCalls).toBe(1);
    expect(await count()).toBe('0');
    await exporter.forceFlush();
    expect(exporter.stats()!.heldLlmCalls).toBe(0);
    expect(await count()).toBe('1');

    const closing = new ClickHouseTraceExporter({ client: store.client, database: 'otel', createSchema: false });
    const other = { ...inner, spanContext: () => ({ ...inner.spanContext(), spanId: 'abcabcabcabcabc1' }) };
    await exportOnly(closing, [other]);
    expect(closing.stats()!.heldLlmCalls).toBe(1);
    await closing.shutdown();
    const [stored] = await store.rows<{ n: string }>(
      "SELECT toString(count()) AS n FROM otel.llm_traces WHERE span_id = 'abcabcabcabcabc1'",
    );
    expect({ stored: stored!.n, stats: closing.stats() }).toMatchObject({ stored: '1', stats: { exportedLlmCalls: 1, heldLlmCalls: 0 } });
  });

  it('stores a 3 MB attribute of a non-LLM span capped at 64 KiB, with the payload marker', async () => {
    const blob = 'row;'.repeat(768 * 1024);
    const span = makeSpan({ spanId: 'ca99ed0000000001', attributes: { 'db.statement': blob } });
    expect(await exportSpans(exporter, [span])).toEqual({ code: ExportResultCode.SUCCESS });
    const [row] = await store.rows<{ bytes: string | number; tail: string }>(
      `SELECT length(SpanAttributes['db.statement']) AS bytes, substring(SpanAttributes['db.statement'], -60) AS tail
       FROM otel.otel_traces WHERE SpanId = 'ca99ed0000000001'`,
    );
    expect(Number(row!.bytes)).toBeLessThanOrEqual(64 * 1024);
    expect(Number(row!.bytes)).toBeGreaterThan(60 * 1024);
    expect(row!.tail).toContain(`[truncated by llm-traces: ${blob.length} bytes in all]`);
  });

  it('fails exports after shutdown without throwing', async () => {
    const closing = new ClickHouseTraceExporter({ client: store.client, database: 'otel', createSchema: false });
    await closing.shutdown();
    const result = await exportOnly(closing, [makeSpan()]);
    expect(result.code).toBe(ExportResultCode.FAILED);
    expect(result.error?.message).toMatch(/shut down/);
  });
  // Payload documents are written unescaped (delivery/serialize.ts): what is stored must still be
  // the exact text, whether or not the document is valid JSON.
  const content = 'a "quoted" {brace} \\ back\\slash, é, 😀 and a lone \ud800 surrogate. '.repeat(10);
  it.each([
    ['valid JSON', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }], stream: false })],
    ['JSON with spaces', `{ "model" : "gpt-4o",  "messages": [ { "role": "user", "content": ${JSON.stringify(content)} } ] }`],
    ['a balanced object that is not JSON', `{model: gpt-4o, note: ${content.replace(/["\\{}]/g, '')}}`],
    ['an object cut short', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }).slice(0, 500)],
  ])('stores a payload document that is %s as the exact text', async (_what, request) => {
    const spanId = Math.random().toString(16).slice(2, 10).padEnd(16, '0');
    const response = JSON.stringify({ id: 'r', model: 'gpt-4o', choices: [{ message: { role: 'assistant', content } }] });
    const span = makeSpan({
      name: 'llm',
      spanId,
      attributes: { 'llm_traces.request_json': request, 'llm_traces.response_json': response },
    });
    expect(await exportSpans(exporter, [span])).toEqual({ code: ExportResultCode.SUCCESS });
    await exporter.forceFlush();
    const [row] = await store.rows(`SELECT request_json, response_json FROM otel.llm_traces WHERE span_id = '${spanId}'`);
    // What the engine stores of a lone surrogate either way: U+FFFD.
    expect(row).toEqual({ request_json: request.replaceAll('\ud800', '\ufffd'), response_json: response.replaceAll('\ud800', '\ufffd') });
  });
});
