/**
 * One rule for "the model" of a call (reader/model-key.ts): stats, the viewer's usage series,
 * facets and what-if groups, and the model filter all put a model's failed calls (which have only
 * the model they asked for) and its dated snapshots on one line.
 */
import { SpanKind } from '@opentelemetry/api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { createPricer } from '../../../src/pricing/pricer.js';
import { LlmTraceReader } from '../../../src/reader/index.js';
import { MODEL_KEY } from '../../../src/reader/model-key.js';
import { makeSpan } from '../../support/spans.js';
import { useTestStore } from '../../support/store.js';

const store = useTestStore();
const START = new Date('2026-11-20T10:00:00Z');
const window = { start: START, end: new Date(START.getTime() + 3_600_000) };

/** [request model, response model, failed] */
const CALLS: Array<[string, string | undefined, boolean]> = [
  ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', false],
  ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', false],
  ['gpt-4o-mini', undefined, true],
  ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5-20250929', false],
  ['claude-sonnet-4-5', undefined, true],
  ['claude-opus-4-1', 'claude-opus-4-1', false],
];

beforeAll(async () => {
  const exporter = new ClickHouseTraceExporter({ client: store.client });
  const spans = CALLS.map(([requestModel, responseModel, failed], i) =>
    makeSpan({
      name: `chat ${requestModel}`,
      kind: SpanKind.CLIENT,
      spanId: `b${String(i).padStart(15, '0')}`,
      startTime: [START.getTime() / 1000 + i, 0],
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': requestModel.startsWith('gpt') ? 'openai' : 'anthropic',
        'gen_ai.request.model': requestModel,
        ...(responseModel ? { 'gen_ai.response.model': responseModel } : {}),
        ...(failed ? { 'error.type': 'RateLimitError' } : { 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 }),
      },
    }),
  );
  await new Promise((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
});

describe('the model as a user names it', () => {
  it('is the requested name, else the answering one, without a snapshot date', async () => {
    const names = ['gpt-4o-mini-2024-07-18', 'claude-3-5-sonnet-20241022', 'gpt-4-0613', 'gemini-1.5-pro-002', 'claude-opus-4-1', 'o1'];
    const rows = await store.rows<{ key: string }>(
      `SELECT ${MODEL_KEY} AS key FROM (SELECT '' AS request_model, arrayJoin({names:Array(String)}) AS model)`,
      { names },
    );
    expect(rows.map((r) => r.key)).toEqual(['gpt-4o-mini', 'claude-3-5-sonnet', 'gpt-4', 'gemini-1.5-pro', 'claude-opus-4-1', 'o1']);
  });

  it('groups stats, the usage series, facets and what-if the same way, and the filter finds every name', async () => {
    const reader = new LlmTraceReader({ client: store.client, organizationId: '' });
    const expected = [
      { key: 'gpt-4o-mini', calls: 3, errors: 1 },
      { key: 'claude-sonnet-4-5', calls: 2, errors: 1 },
      { key: 'claude-opus-4-1', calls: 1, errors: 0 },
    ];
    const stats = await reader.getUsageStats({ groupBy: 'model', ...window });
    expect(stats.map((s) => ({ key: s.key, calls: s.requestCount, errors: s.errorCount }))).toEqual(expected);
    const series = await reader.getUsageSeries({ groupBy: 'model', bucket: 'hour', ...window }, createPricer());
    expect(series.stats.map((s) => ({ key: s.key, calls: s.requestCount, errors: s.errorCount }))).toEqual(expected);
    const facets = await reader.getCallFacets(window);
    expect(facets.model).toEqual(expected.map(({ key, calls }) => ({ value: key, count: calls })));
    const whatIf = await reader.getWhatIf(window, createPricer());
    expect(whatIf.byModel.map((m) => [m.model, m.calls])).toEqual(expected.map(({ key, calls }) => [key, calls]));
    const byRequest = await reader.getUsageStats({ groupBy: 'request_model', ...window });
    expect(byRequest.map((s) => [s.key, s.requestCount]).sort()).toEqual([
      ['claude-opus-4-1', 1],
      ['claude-sonnet-4-5', 1],
      ['claude-sonnet-4-5-20250929', 1],
      ['gpt-4o-mini', 3],
    ]);
    const count = async (model: string) => (await reader.getCallTotals({ model, ...window })).calls;
    expect(await count('gpt-4o-mini')).toBe(3);
    expect(await count('gpt-4o-mini-2024-07-18')).toBe(2);
    expect(await count('claude-sonnet-4-5')).toBe(2);
    expect(await count('claude-sonnet-4-5-20250929')).toBe(1);
    expect(await count('claude-opus-4')).toBe(0);
  });
});
