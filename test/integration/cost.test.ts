import { SpanKind } from '@opentelemetry/api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../src/exporter.js';
import { createPricer } from '../../src/pricing/index.js';
import { LlmTraceReader } from '../../src/reader/index.js';
import { reprice } from '../../src/store/reprice.js';
import { useTestStore } from '../support/store.js';
import { makeSpan } from '../support/spans.js';

const DAY = 86_400;
const t0 = 1_795_305_600; // 2026-11-22 00:00:00 UTC

function chat(spanId: string, model: string, day: number, usage: Record<string, number>, extra: Record<string, string | number> = {}) {
  return makeSpan({
    name: `chat ${model}`,
    kind: SpanKind.CLIENT,
    spanId,
    startTime: [t0 + day * DAY + 3600, 0],
    endTime: [t0 + day * DAY + 3601, 0],
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': model,
      'llm_traces.agent_id': 'billing-test',
      ...usage,
      ...extra,
    },
  });
}

describe('cost in dollars on embedded ClickHouse', () => {
  const store = useTestStore();

  beforeAll(async () => {
    const exporter = new ClickHouseTraceExporter({ client: store.client });
    const spans = [
      // gpt-4o: 2.50 in, 1.25 cached, 10 out per MTok. 200 fresh + 800 cached in, 100 out:
      // 200*2.5 + 800*1.25 + 100*10 = 500 + 1000 + 1000 = 2500 micro-dollars.
      chat('c000000000000001', 'gpt-4o', 0, {
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.cache_read.input_tokens': 800,
        'gen_ai.usage.output_tokens': 100,
      }),
      // o4-mini: 1.10 in, 4.40 out. 1000 in, 500 out of which 400 reasoning (already inside output):
      // 1000*1.1 + 500*4.4 = 1100 + 2200 = 3300 micro-dollars.
      chat('c000000000000002', 'o4-mini', 1, {
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 500,
        'gen_ai.usage.reasoning.output_tokens': 400,
      }),
      // Not in the table: NULL, never 0.
      chat('c000000000000003', 'acme-internal-13b', 1, { 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 10 }),
      // The span reports its own cost, which wins and survives repricing.
      chat(
        'c000000000000004',
        'gpt-4o',
        1,
        { 'gen_ai.usage.input_tokens': 10, 'gen_ai.usage.output_tokens': 10 },
        { 'gen_ai.usage.cost': 0.5 },
      ),
      // An AI SDK call: the outer span repeats the usage of its doGenerate child and must not be costed twice.
      makeSpan({
        name: 'ai.generateText',
        spanId: 'c000000000000005',
        startTime: [t0 + 2 * DAY, 0],
        attributes: {
          'ai.operationId': 'ai.generateText',
          'operation.name': 'ai.generateText',
          'ai.model.id': 'gpt-4o',
          'ai.model.provider': 'openai.chat',
          'ai.usage.promptTokens': 1000,
          'ai.usage.completionTokens': 100,
          'llm_traces.agent_id': 'billing-test',
        },
      }),
      makeSpan({
        name: 'ai.generateText.doGenerate',
        kind: SpanKind.CLIENT,
        spanId: 'c000000000000006',
        parentSpanId: 'c000000000000005',
        startTime: [t0 + 2 * DAY, 1000],
        attributes: {
          'ai.operationId': 'ai.generateText.doGenerate',
          'operation.name': 'ai.generateText.doGenerate',
          'ai.model.id': 'gpt-4o',
          'ai.model.provider': 'openai.chat',
          'ai.usage.promptTokens': 1000,
          'ai.usage.completionTokens': 100,
          'gen_ai.system': 'openai.chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 1000,
          'gen_ai.usage.output_tokens': 100,
          'llm_traces.agent_id': 'billing-test',
        },
      }),
    ];
    await new Promise((resolve) => exporter.export(spans, resolve));
    await exporter.shutdown();
  });

  const costs = () =>
    store.rows<{ span_id: string; cost: string | null; source: string }>(
      "SELECT span_id, toString(cost_usd) AS cost, cost_source AS source FROM otel.llm_traces WHERE agent_id = 'billing-test' ORDER BY span_id",
    );

  it('prices cached input at the cached rate, reasoning as output, and leaves unknown models NULL', async () => {
    expect(await costs()).toEqual([
      { span_id: 'c000000000000001', cost: '0.0025', source: expect.stringMatching(/^price_table:\d{4}-\d{2}-\d{2}$/) },
      { span_id: 'c000000000000002', cost: '0.0033', source: expect.stringMatching(/^price_table:/) },
      { span_id: 'c000000000000003', cost: null, source: '' },
      { span_id: 'c000000000000004', cost: '0.5', source: 'provided' },
      // 1000*2.5 + 100*10 = 3500 micro-dollars, once: the outer ai.generateText span is no row.
      { span_id: 'c000000000000006', cost: '0.0035', source: expect.stringMatching(/^price_table:/) },
    ]);
  });

  it('sums cost per group and per day, and counts unpriced calls', async () => {
    const reader = new LlmTraceReader({ client: store.client, organizationId: '' });
    const [stats] = await reader.getUsageStats({ groupBy: 'agent_id' });
    expect(stats).toMatchObject({ key: 'billing-test', requestCount: 5, pricedRequestCount: 4, costUsd: '0.5093' });
    const daily = await reader.getUsageStats({ groupBy: 'agent_id', bucket: 'day' });
    expect(daily.map((d) => [d.bucketStart!.toISOString(), d.requestCount, d.costUsd])).toEqual([
      ['2026-11-22T00:00:00.000Z', 1, '0.0025'],
      ['2026-11-23T00:00:00.000Z', 3, '0.5033'],
      ['2026-11-24T00:00:00.000Z', 1, '0.0035'],
    ]);
    await expect(reader.getUsageStats({ groupBy: 'agent_id', bucket: 'week' as never })).rejects.toThrow(/bucket/);
  });

  it('reprices stored calls in place after a price change, keeps provided costs, and is idempotent', async () => {
    const pricer = createPricer({
      prices: [
        { model: 'acme-internal-13b', inputPerMillion: 1, outputPerMillion: 2 },
        { model: 'gpt-4o', providers: ['openai'], inputPerMillion: 5, cachedInputPerMillion: 2.5, outputPerMillion: 20 },
      ],
    });
    const first = await reprice(store.client, { database: 'otel', table: 'llm_traces', pricer, pageSize: 2 });
    expect(first).toEqual({ scanned: 4, updated: 3, unpriced: 0, withoutUsage: 0 });
    const after = await costs();
    // acme: 1000*1 + 10*2 = 1020 micro-dollars. gpt-4o: 200*5 + 800*2.5 + 100*20 = 5000 (a call
    // without a provider still matches by model name), and 1000*5 + 100*20 = 7000 for the AI SDK call.
    expect(after.map((r) => [r.span_id, r.cost])).toEqual([
      ['c000000000000001', '0.005'],
      ['c000000000000002', '0.0033'],
      ['c000000000000003', '0.00102'],
      ['c000000000000004', '0.5'],
      ['c000000000000006', '0.007'],
    ]);
    expect(after.find((r) => r.span_id === 'c000000000000003')!.source).toMatch(/\+user$/);
    expect(await reprice(store.client, { database: 'otel', table: 'llm_traces', pricer })).toEqual({
      scanned: 4,
      updated: 0,
      unpriced: 0,
      withoutUsage: 0,
    });
  });
});
