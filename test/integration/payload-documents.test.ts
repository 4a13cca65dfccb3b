/**
 * Payload documents are written to ClickHouse unescaped (delivery/serialize.ts): what is stored
 * must still be the exact text, whether or not the document is valid JSON.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../src/exporter.js';
import { useTestStore } from '../support/store.js';
import { makeSpan } from '../support/spans.js';

function exportSpans(exporter: ClickHouseTraceExporter, spans: Parameters<ClickHouseTraceExporter['export']>[0]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

describe('payload documents on embedded ClickHouse', () => {
  const store = useTestStore();
  let exporter: ClickHouseTraceExporter;

  beforeAll(async () => {
    exporter = new ClickHouseTraceExporter({ client: store.client, database: 'otel' });
    await exporter.ready();
  });
  afterAll(async () => {
    await exporter?.shutdown();
  });

  const content = 'a "quoted" {brace} \\ back\\slash, é, 😀 and a lone \ud800 surrogate. '.repeat(10);
  it.each([
    ['valid JSON', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }], stream: false })],
    ['JSON with spaces', `{ "model" : "gpt-4o",  "messages": [ { "role": "user", "content": ${JSON.stringify(content)} } ] }`],
    ['a balanced object that is not JSON', `{model: gpt-4o, note: ${content.replace(/["\\{}]/g, '')}}`],
    ['an object cut short', JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content }] }).slice(0, 500)],
  ])('stores %s as the exact text', async (_what, request) => {
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
