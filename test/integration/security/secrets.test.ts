import { inspect } from 'node:util';
import { diag, DiagLogLevel, SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { resolveConfig, describeConfig } from '../../../src/config/config.js';
import { REDACTED } from '../../../src/redaction/credentials.js';
import { openTestStore, type TestStore } from '../../support/store.js';
import { makeSpan } from '../../support/spans.js';

const OPENAI_KEY = 'sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z';
const ANTHROPIC_KEY = 'sk-ant-api03-Zy9xWv8uTs7rQp6oNm5lKj4iHg3fEd2cBa1';
const GOOGLE_KEY = 'AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q';
const BEARER = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.sig';
const SECRETS = [OPENAI_KEY, ANTHROPIC_KEY, GOOGLE_KEY, BEARER, 'super-secret-header-value', 'hunter2-db-password'];

function exportSpans(exporter: ClickHouseTraceExporter, spans: Parameters<ClickHouseTraceExporter['export']>[0]) {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** Every stored string of both tables, as one text. */
async function everythingStored(store: TestStore): Promise<string> {
  const otel = await store.rows('SELECT * FROM otel.otel_traces');
  const llm = await store.rows('SELECT * FROM otel.llm_traces');
  return JSON.stringify([otel, llm]);
}

const rawRequest = {
  model: 'gpt-4o',
  headers: { Authorization: `Bearer ${OPENAI_KEY}`, 'x-api-key': ANTHROPIC_KEY, 'X-Custom-Auth': 'super-secret-header-value' },
  api_key: OPENAI_KEY,
  messages: [{ role: 'user', content: `my key is ${GOOGLE_KEY}, token Bearer ${BEARER}` }],
};

describe('secrets never reach ClickHouse', () => {
  let store: TestStore;
  beforeAll(async () => {
    store = await openTestStore();
  });
  afterAll(async () => {
    await store?.close();
  });

  it('redacts credentials in payloads, attributes, events and status by default', async () => {
    const exporter = new ClickHouseTraceExporter({ client: store.client });
    await exportSpans(exporter, [
      makeSpan({
        spanId: 'e000000000000001',
        kind: SpanKind.CLIENT,
        status: { code: 2, message: `401 for key ${OPENAI_KEY}` },
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: `use ${ANTHROPIC_KEY}` }] }]),
          'llm_traces.request_json': JSON.stringify(rawRequest),
          'llm_traces.response_json': JSON.stringify({ error: { message: `Incorrect API key provided: ${OPENAI_KEY}` } }),
          'http.request.header.authorization': `Bearer ${BEARER}`,
          'http.request.header.x-custom-auth': 'super-secret-header-value',
        },
        events: [{ name: 'exception', time: [1_795_346_763, 0], attributes: { 'exception.message': `bad key ${GOOGLE_KEY}` } }],
      }),
    ]);
    await exporter.shutdown();
    const stored = await everythingStored(store);
    for (const secret of SECRETS.slice(0, 4)) expect(stored).not.toContain(secret);
    expect(stored).toContain(REDACTED);
    const [row] = await store.rows<{ request_json: string; model: string; is_error: boolean }>(
      "SELECT request_json, model, is_error FROM otel.llm_traces WHERE span_id = 'e000000000000001'",
    );
    // Redaction keeps the document usable: valid JSON, keys and non-secret values intact.
    const request = JSON.parse(row!.request_json);
    expect(request).toMatchObject({ model: 'gpt-4o', api_key: REDACTED, headers: { Authorization: REDACTED, 'x-api-key': REDACTED } });
    expect(request.messages[0].content).toBe(`my key is ${REDACTED}, token Bearer ${REDACTED}`);
    expect(row).toMatchObject({ model: 'gpt-4o', is_error: true });
  });

  it('redacts the shapes the hostile pass found stored verbatim, in both tables', async () => {
    const leaks = {
      aws: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      pem: 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7',
      github: 'ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8',
      secret: 's3cr3t-v4lue-0f-the-app',
      basic: 'YWxhZGRpbjpvcGVuc2VzYW1l',
      query: 'q-4pI-k3y-v4lu3',
      slack: 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx',
      stripe: 'sk_live_51H8abcdefghijklmnopqrstuv',
      gitlab: 'glpat-Ab3dEf6hIj9kLm2nOp5q',
    };
    const content = [
      `{"aws_secret_access_key":"${leaks.aws}","private_key":"-----BEGIN PRIVATE KEY-----\\n${leaks.pem}\\n-----END PRIVATE KEY-----"}`,
      `token ${leaks.github} and "secret": "${leaks.secret}"`,
      `Authorization: Basic ${leaks.basic}`,
      `slack ${leaks.slack} stripe ${leaks.stripe} gitlab ${leaks.gitlab}`,
    ].join('\n');
    const exporter = new ClickHouseTraceExporter({ client: store.client });
    await exportSpans(exporter, [
      makeSpan({
        spanId: 'e000000000000014',
        kind: SpanKind.CLIENT,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content }] }]),
          'llm_traces.request_json': JSON.stringify({ model: 'gpt-4o', token: leaks.github, secret: leaks.secret }),
        },
      }),
      makeSpan({
        spanId: 'e000000000000015',
        attributes: { 'url.full': `https://api.example.com/v1/items?api_key=${leaks.query}&token=${leaks.query}&page=2` },
      }),
    ]);
    await exporter.shutdown();
    const stored = await everythingStored(store);
    for (const [what, leak] of Object.entries(leaks)) expect(stored, what).not.toContain(leak);
    const [span] = await store.rows<{ url: string }>(
      "SELECT SpanAttributes['url.full'] AS url FROM otel.otel_traces WHERE SpanId = 'e000000000000015'",
    );
    expect(span!.url).toBe(`https://api.example.com/v1/items?api_key=${REDACTED}&token=${REDACTED}&page=2`);
  });

  it('lets a hook redact more (PII) and a switch store no payloads at all', async () => {
    const hooked = new ClickHouseTraceExporter({
      client: store.client,
      redactPayload: (text) => text.replace(/[\w.+-]+@[\w-]+\.[\w.]+/g, '[email]'),
    });
    const storeless = new ClickHouseTraceExporter({ client: store.client, storePayloads: false });
    const span = (spanId: string) =>
      makeSpan({
        spanId,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.usage.input_tokens': 12,
          'gen_ai.input.messages': JSON.stringify([
            { role: 'user', parts: [{ type: 'text', content: 'mail me at jane.doe@example.com' }] },
          ]),
        },
      });
    await exportSpans(hooked, [span('e000000000000002')]);
    await exportSpans(storeless, [span('e000000000000003')]);
    await hooked.shutdown();
    await storeless.shutdown();
    const rows = await store.rows<{ span_id: string; request_json: string; request_size_bytes: number; prompt_tokens: number }>(
      "SELECT span_id, request_json, request_size_bytes, prompt_tokens FROM otel.llm_traces WHERE span_id IN ('e000000000000002', 'e000000000000003') ORDER BY span_id",
    );
    expect(rows[0]!.request_json).toContain('mail me at [email]');
    expect(rows[1]).toMatchObject({ request_json: '', prompt_tokens: 12 });
    expect(rows[1]!.request_size_bytes).toBeGreaterThan(0);
    const [attributes] = await store.rows<{ content: string }>(
      "SELECT SpanAttributes['gen_ai.input.messages'] AS content FROM otel.otel_traces WHERE SpanId = 'e000000000000003'",
    );
    expect(attributes!.content).toBe('');
  });

  it('caps payloads with a visible marker, a flag and the original size', async () => {
    const exporter = new ClickHouseTraceExporter({ client: store.client, maxPayloadBytes: 1000 });
    const big = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'é'.repeat(5000) }] });
    await exportSpans(exporter, [makeSpan({ spanId: 'e000000000000004', attributes: { 'llm_traces.request_json': big } })]);
    await exporter.shutdown();
    const [row] = await store.rows<{ request_json: string; bytes: number; request_size_bytes: number; payload_truncated: boolean }>(
      "SELECT request_json, length(request_json) AS bytes, request_size_bytes, payload_truncated FROM otel.llm_traces WHERE span_id = 'e000000000000004'",
    );
    expect(row!.payload_truncated).toBe(true);
    expect(row!.request_size_bytes).toBe(Buffer.byteLength(big));
    expect(row!.bytes).toBeLessThanOrEqual(1000);
    expect(row!.request_json).toMatch(new RegExp(`…\\[truncated by llm-traces: ${Buffer.byteLength(big)} bytes in all\\]$`));
    expect(row!.request_json).not.toContain('\ufffd');
  });
});

describe('credentials never appear in logs, errors or descriptions', () => {
  it('keeps the password out of diag output, export errors, config descriptions and thrown errors', async () => {
    const lines: string[] = [];
    const collect = (...args: unknown[]) =>
      lines.push(args.map((a) => (a instanceof Error ? `${a.message} ${a.stack}` : String(a))).join(' '));
    diag.setLogger({ error: collect, warn: collect, info: collect, debug: collect, verbose: collect }, DiagLogLevel.ALL);
    try {
      const password = 'hunter2-db-password';
      // Nothing listens on port 1: every insert fails with a connection error.
      const exporter = new ClickHouseTraceExporter({
        endpoint: `http://writer:${password}@127.0.0.1:1`,
        retryBudgetMs: 1,
        shutdownTimeoutMs: 100,
      });
      const result = (await exportSpans(exporter, [makeSpan()])) as { error?: Error };
      const ready = await exporter.ready().catch((error: Error) => error);
      await exporter.shutdown();
      const config = resolveConfig({ endpoint: 'https://ch.example.com', username: 'writer', password });
      const texts = [
        ...lines,
        String(result.error),
        result.error?.stack ?? '',
        String(ready),
        describeConfig(config),
        JSON.stringify(exporter.stats()),
        String(exporter),
        inspect(exporter, { depth: 10 }),
        inspect(config, { depth: 10 }),
        JSON.stringify(config),
      ];
      expect(lines.length).toBeGreaterThan(0);
      for (const text of texts) expect(text).not.toContain(password);
    } finally {
      diag.disable();
    }
  });
});
