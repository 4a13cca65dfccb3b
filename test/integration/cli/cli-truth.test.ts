/**
 * The CLI tells the truth (issue 15, items 4-7): a run over several traces shows every trace with
 * the run's totals; a model's errors and snapshots are one line of `stats`; small costs keep their
 * digits; `list` filters by every id; `show` says when a response was assembled; bad arguments get
 * the package's own words. The CLI runs as a child process on a store the exporter filled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode, type Attributes } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { openClient } from '../../../src/store/connection.js';
import { makeSpan } from '../../support/spans.js';
import { runCli, startServe } from '../../support/serve-process.js';

const path = mkdtempSync(join(tmpdir(), 'llm-traces-cli-truth-'));
const TRACES = ['1'.repeat(32), '2'.repeat(32), '3'.repeat(32)];
const at = (ms: number): [number, number] => [1_795_346_000 + Math.floor(ms / 1000), (ms % 1000) * 1e6];

function chat(id: string, trace: string, spanId: string, startMs: number, attributes: Attributes, error = false) {
  return makeSpan({
    name: `chat ${String(attributes['gen_ai.request.model'])}`,
    kind: SpanKind.CLIENT,
    traceId: trace,
    spanId,
    parentSpanId: `${spanId.slice(0, 15)}0`,
    startTime: at(startMs),
    endTime: at(startMs + 400),
    status: error ? { code: SpanStatusCode.ERROR, message: '429 rate limited' } : undefined,
    resource: { 'service.name': 'billing-api' },
    attributes: {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'llm_traces.id': id,
      'llm_traces.run_id': 'run-16',
      'llm_traces.user_id': 'user-7',
      'gen_ai.conversation.id': 'conv-3',
      ...attributes,
    },
  });
}

const mini = { 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18' };

/** A run of three traces (one root and one call each), the way an agent loop makes them; then one raw-payload call. */
async function fillStore(): Promise<void> {
  const opened = await openClient({ kind: 'embedded', path });
  const exporter = new ClickHouseTraceExporter({ client: opened.client });
  const spans = TRACES.flatMap((trace, i) => [
    makeSpan({
      name: `agent step ${i + 1}`,
      traceId: trace,
      spanId: `a${i}00000000000000`,
      startTime: at(i * 1000),
      endTime: at(i * 1000 + 900),
      resource: { 'service.name': 'billing-api' },
      attributes: { 'llm_traces.run_id': 'run-16' },
    }),
  ]);
  spans.push(
    // $0.00021 each: 1000 in at $0.15/M + 100 out at $0.60/M.
    chat('call-a', TRACES[0]!, 'a000000000000001', 100, {
      ...mini,
      'gen_ai.usage.input_tokens': 1000,
      'gen_ai.usage.output_tokens': 100,
      'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Refund order 17?' }] }]),
      'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: 'Done.' }] }]),
    }),
    // A failed call has only the model it asked for, and no usage.
    chat('call-b', TRACES[1]!, 'a100000000000001', 1100, { 'gen_ai.request.model': 'gpt-4o-mini', 'error.type': 'RateLimitError' }, true),
    chat('call-c', TRACES[2]!, 'a200000000000001', 2100, { ...mini, 'gen_ai.usage.input_tokens': 1000, 'gen_ai.usage.output_tokens': 100 }),
    // $0.0153: 5000 in at $2.50/M + 280 out at $10/M; a raw provider body, so not assembled.
    chat('call-d', '4'.repeat(32), 'a300000000000001', 2500, {
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.usage.input_tokens': 5000,
      'gen_ai.usage.output_tokens': 280,
      'llm_traces.response_json': JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion', model: 'gpt-4o-2024-08-06', choices: [] }),
      'llm_traces.run_id': 'run-other',
      'llm_traces.user_id': 'user-8',
    }),
  );
  await new Promise((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  await opened.close();
}

beforeAll(fillStore);
afterAll(() => rmSync(path, { recursive: true, force: true }));

interface ListedCall {
  id: string;
}

async function listIds(...args: string[]): Promise<string[]> {
  const result = await runCli(['list', '--path', path, '--json', ...args]);
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as ListedCall[]).map((c) => c.id).sort();
}

describe('llm-traces CLI: what it shows is what is stored', () => {
  it('stats puts a model’s failed calls and its dated snapshot on one line, and groups by request_model on request', async () => {
    const text = await runCli(['stats', '--path', path]);
    const lines = text.stdout.trim().split('\n');
    // key, calls, errors, prompt, cached, completion, reasoning, avg, p95, bytes, cost, unpriced
    expect(lines.filter((l) => l.startsWith('gpt-4o-mini'))).toHaveLength(1);
    expect(lines.find((l) => l.startsWith('gpt-4o-mini '))).toMatch(/^gpt-4o-mini\s+3\s+1\s+2,000\s+-\s+200\s.*\s0\.00042\s+1$/);
    expect(lines.find((l) => l.startsWith('gpt-4o '))).toMatch(/\s0\.0153\s+0$/);
    const byRequest = JSON.parse((await runCli(['stats', '--path', path, '--group-by', 'request_model', '--json'])).stdout) as Array<{
      key: string;
      requestCount: number;
      errorCount: number;
      costUsd: string;
    }>;
    expect(byRequest.map(({ key, requestCount, errorCount, costUsd }) => ({ key, requestCount, errorCount, costUsd }))).toEqual([
      { key: 'gpt-4o-mini', requestCount: 3, errorCount: 1, costUsd: '0.00042' },
      { key: 'gpt-4o', requestCount: 1, errorCount: 0, costUsd: '0.0153' },
    ]);
  });

  it('list filters by model under any of its names, run, trace, service, user and conversation, and shows the trace id', async () => {
    expect(await listIds('--model', 'gpt-4o-mini')).toEqual(['call-a', 'call-b', 'call-c']);
    expect(await listIds('--model', 'gpt-4o-mini-2024-07-18')).toEqual(['call-a', 'call-c']);
    expect(await listIds('--run', 'run-16')).toEqual(['call-a', 'call-b', 'call-c']);
    expect(await listIds('--trace', TRACES[2]!)).toEqual(['call-c']);
    expect(await listIds('--service', 'billing-api', '--user', 'user-8')).toEqual(['call-d']);
    expect(await listIds('--conversation', 'conv-3', '--errors')).toEqual(['call-b']);
    expect(await listIds('--service', 'other-api')).toEqual([]);
    const text = await runCli(['list', '--path', path, '--run', 'run-16']);
    expect(text.stdout.split('\n')[0]).toMatch(/^created \(UTC\)\s+id\s+trace\s+agent\s+type\s+model/);
    expect(text.stdout).toMatch(new RegExp(`call-b\\s+${TRACES[1]}\\s+-\\s+chat\\s+gpt-4o-mini\\s+-\\s+-\\s+400\\s+-\\s+RateLimitError`));
    expect(text.stdout).toMatch(new RegExp(`call-a\\s+${TRACES[0]}\\s+.*\\s0\\.00021\\s*$`, 'm'));
  });

  it('show labels a response assembled from span attributes, and not a raw provider body', async () => {
    const assembled = await runCli(['show', 'call-a', '--path', path]);
    expect(assembled.stdout).toContain(
      '\nresponseJson (assembled by llm-traces from span attributes, not the provider\'s raw response):\n  {\n    "model": "gpt-4o-mini-2024-07-18"',
    );
    expect(JSON.parse((await runCli(['show', 'call-a', '--path', path, '--json'])).stdout)).toMatchObject({ responseAssembled: true });
    const raw = await runCli(['show', 'call-d', '--path', path]);
    expect(raw.stdout).toContain('\nresponseJson:\n  {\n    "id": "chatcmpl-1"');
    expect(raw.stdout).not.toContain('assembled');
  });

  it('puts argument mistakes in its own words', async () => {
    const cases: Array<[string[], string]> = [
      [
        ['list', '--limit', '-5'],
        "llm-traces list: --limit is followed by something that looks like a flag; write a value that starts with '-' as --limit=VALUE.",
      ],
      [['list', '--limit'], 'llm-traces list: --limit needs a value, as in --limit VALUE.'],
      [['list', '--errors=yes'], 'llm-traces list: --errors is a switch and takes no value: write --errors alone.'],
      [
        ['list', '--agent', 'a', "'b"],
        'llm-traces list: unexpected argument "\'b": this command takes no bare arguments. Is it a value without its flag, or a quote the shell left unclosed?',
      ],
    ];
    for (const [args, message] of cases) {
      const result = await runCli([args[0]!, '--path', path, ...args.slice(1)]);
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')[0]).toBe(message);
      expect(result.stderr).toContain('\nUsage: llm-traces list ');
    }
    const backwards = await runCli(['stats', '--path', path, '--start', '2027-01-01', '--end', '2026-01-01']);
    expect(backwards).toMatchObject({
      code: 2,
      stderr: 'llm-traces stats: --start 2027-01-01 is after --end 2026-01-01; give the earlier date as --start.\n',
    });
  });

  it('reprice says which calls have no usage and which have no known price', async () => {
    const result = await runCli(['reprice', '--path', path]);
    expect(result).toMatchObject({
      code: 0,
      stdout:
        'scanned 4 calls, updated 0; 1 reported no usage (failed calls, mostly: nothing to price), 0 used a model without a known price\n',
    });
    expect(JSON.parse((await runCli(['reprice', '--path', path, '--json'])).stdout)).toEqual({
      scanned: 4,
      updated: 0,
      unpriced: 1,
      withoutUsage: 1,
    });
  });
});

describe('a run over several traces, through the CLI and the JSON API of serve', () => {
  it('shows every trace of the run in order with the run totals, and /api/ lists the routes', async () => {
    const serve = await startServe(['--path', path]);
    try {
      const text = await runCli(['trace', '--run', 'run-16', '--endpoint', serve.url]);
      expect(text.stderr).toBe('');
      expect(text.stdout).toBe(
        [
          'run run-16  3 LLM calls (1 error), 2000 in / 200 out tokens, $0.00042 + 1 unpriced in 3 traces',
          '',
          `trace ${TRACES[0]}  1 LLM call, 1000 in / 100 out tokens, $0.00021`,
          'agent step 1  900ms',
          '└─ chat gpt-4o-mini  400ms  [gpt-4o-mini-2024-07-18: 1000 in / 100 out, 400ms]',
          '',
          `trace ${TRACES[1]}  1 LLM call (1 error), 0 in / 0 out tokens, cost unknown`,
          'agent step 2  900ms',
          '└─ chat gpt-4o-mini  400ms  ERROR  [gpt-4o-mini: no usage reported, 400ms, RateLimitError]',
          '',
          `trace ${TRACES[2]}  1 LLM call, 1000 in / 100 out tokens, $0.00021`,
          'agent step 3  900ms',
          '└─ chat gpt-4o-mini  400ms  [gpt-4o-mini-2024-07-18: 1000 in / 100 out, 400ms]',
          '',
        ].join('\n'),
      );
      const api = await fetch(`${serve.url}/api/runs/run-16/trace?limit=5`);
      const body = (await api.json()) as {
        traceId: string;
        totals: { calls: number; errors: number; costUsd: string };
        traces: Array<{ traceId: string; calls: number }>;
        spans: Array<{ traceId: string; spanName: string }>;
        truncated: boolean;
      };
      expect(api.status).toBe(200);
      expect(body.traceId).toBe(TRACES[0]);
      expect(body.totals).toMatchObject({ calls: 3, errors: 1, costUsd: '0.00042' });
      expect(body.traces.map((t) => [t.traceId, t.calls])).toEqual(TRACES.map((t) => [t, 1]));
      // Run-view spans, trace after trace, cut at the limit.
      expect(body.spans.map((s) => [s.traceId, s.spanName])).toEqual([
        [TRACES[0], 'agent step 1'],
        [TRACES[0], 'chat gpt-4o-mini'],
        [TRACES[1], 'agent step 2'],
        [TRACES[1], 'chat gpt-4o-mini'],
        [TRACES[2], 'agent step 3'],
      ]);
      expect(body.truncated).toBe(true);
      const index = await fetch(`${serve.url}/api/`);
      const routes = (await index.json()) as { routes: Array<{ path: string; params: string[] }> };
      expect(index.status).toBe(200);
      expect(routes.routes.map((r) => r.path)).toContain('GET /api/runs/:id/trace');
      expect(routes.routes.find((r) => r.path === 'GET /api/usage')?.params).toEqual(['group_by', 'start', 'end', 'organization_id']);
    } finally {
      await serve.stop();
    }
  });
});
