import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { openClient } from '../../../src/store/connection.js';
import { makeSpan } from '../../support/spans.js';
import { runCli, startServe } from '../../support/serve-process.js';

const path = mkdtempSync(join(tmpdir(), 'llm-traces-cli-'));
const trace = 'c0ffee00c0ffee00c0ffee00c0ffee00';

/** Fills a store the way an app would, then closes it so the CLI (another process) can open it. */
async function fillStore(): Promise<void> {
  const opened = await openClient({ kind: 'embedded', path });
  const exporter = new ClickHouseTraceExporter({ client: opened.client });
  const at = (ms: number): [number, number] => [1_795_346_000 + Math.floor(ms / 1000), (ms % 1000) * 1e6];
  const spans = [
    makeSpan({
      name: 'agent run',
      traceId: trace,
      spanId: 'a000000000000001',
      startTime: at(0),
      endTime: at(3000),
      attributes: { 'llm_traces.run_id': 'run-1' },
    }),
    makeSpan({
      name: 'chat gpt-4o',
      kind: SpanKind.CLIENT,
      traceId: trace,
      spanId: 'a000000000000002',
      parentSpanId: 'a000000000000001',
      startTime: at(100),
      endTime: at(1100),
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'gpt-4o',
        'gen_ai.usage.input_tokens': 1000,
        'gen_ai.usage.output_tokens': 200,
        'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: 'Where is my order?' }] }]),
        'llm_traces.id': 'call-1',
        'llm_traces.agent_id': 'support',
        'llm_traces.run_id': 'run-1',
      },
    }),
    makeSpan({
      name: 'chat claude',
      kind: SpanKind.CLIENT,
      traceId: trace,
      spanId: 'a000000000000003',
      parentSpanId: 'a000000000000001',
      startTime: at(1200),
      endTime: at(1500),
      status: { code: SpanStatusCode.ERROR, message: 'overloaded' },
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-sonnet-4-5',
        'error.type': 'overloaded_error',
        'llm_traces.id': 'call-2',
        'llm_traces.agent_id': 'support',
        'llm_traces.run_id': 'run-1',
      },
    }),
    makeSpan({
      name: 'embeddings',
      spanId: 'b000000000000001',
      startTime: at(5000),
      attributes: {
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'text-embedding-3-small',
        'gen_ai.usage.input_tokens': 50,
        'llm_traces.id': 'call-3',
        'llm_traces.agent_id': 'indexer',
        'llm_traces.organization_id': 'org-b',
      },
    }),
  ];
  await new Promise((resolve) => exporter.export(spans, resolve));
  await exporter.shutdown();
  await opened.close();
}

beforeAll(fillStore);
afterAll(() => rmSync(path, { recursive: true, force: true }));

describe('llm-traces CLI on a filled embedded store', () => {
  it('stats prints a table by model and exact JSON', async () => {
    const text = await runCli(['stats', '--path', path]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^model\s+calls\s+errors\s+prompt tokens/);
    expect(lines.find((l) => l.startsWith('gpt-4o'))).toMatch(/^gpt-4o\s+1\s+0\s+1,000\s/);
    const json = await runCli(['stats', '--path', path, '--group-by', 'agent_id', '--json']);
    const rows = JSON.parse(json.stdout) as { key: string; requestCount: number; errorCount: number; promptTokens: number }[];
    expect(rows.map(({ key, requestCount, errorCount, promptTokens }) => ({ key, requestCount, errorCount, promptTokens }))).toEqual([
      { key: 'support', requestCount: 2, errorCount: 1, promptTokens: 1000 },
    ]);
  });

  it('list filters by agent and errors, newest first; the organization comes from --org', async () => {
    const errors = JSON.parse((await runCli(['list', '--path', path, '--agent', 'support', '--errors', '--json'])).stdout) as {
      id: string;
      errorType: string;
    }[];
    expect(errors.map((c) => [c.id, c.errorType])).toEqual([['call-2', 'overloaded_error']]);
    const all = await runCli(['list', '--path', path]);
    expect(all.stdout).toMatch(new RegExp(`call-2\\s+${trace}\\s+support\\s+chat\\s+claude-sonnet-4-5`));
    expect(all.stdout).not.toContain('call-3');
    const other = JSON.parse((await runCli(['list', '--path', path, '--org', 'org-b', '--json'])).stdout) as { id: string }[];
    expect(other.map((c) => c.id)).toEqual(['call-3']);
  });

  it('show prints every field and pretty-printed payloads', async () => {
    const shown = await runCli(['show', 'call-1', '--path', path]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^promptTokens\s+1000$/m);
    expect(shown.stdout).toMatch(/^model\s+gpt-4o$/m);
    expect(shown.stdout).toContain('requestJson:\n  {\n    "model": "gpt-4o",');
    const json = JSON.parse((await runCli(['show', 'call-1', '--path', path, '--json'])).stdout);
    expect(json).toMatchObject({ id: 'call-1', agentId: 'support', completionTokens: 200, runId: 'run-1' });
    const missing = await runCli(['show', 'nope', '--path', path]);
    expect(missing).toMatchObject({ code: 1, stderr: "llm-traces show: No LLM call with id 'nope' in this organization.\n" });
  });

  it('trace prints the span tree with LLM calls annotated, by trace id and by run', async () => {
    const byTrace = await runCli(['trace', trace, '--path', path]);
    expect(byTrace.stdout).toContain(
      [
        'agent run  3.00s',
        '├─ chat gpt-4o  1.00s  [gpt-4o: 1000 in / 200 out, 1000ms]',
        '└─ chat claude  300ms  ERROR  [claude-sonnet-4-5: no usage reported, 300ms, overloaded_error]',
      ].join('\n'),
    );
    const byRun = JSON.parse((await runCli(['trace', '--run', 'run-1', '--path', path, '--json'])).stdout);
    expect(byRun.traceId).toBe(trace);
    expect(byRun.spans.map((s: { spanName: string }) => s.spanName)).toEqual(['agent run', 'chat gpt-4o', 'chat claude']);
  });

  it('explains usage errors and missing stores instead of printing a stack trace', async () => {
    expect(await runCli(['stats', '--path', path, '--group-by', 'password'])).toMatchObject({
      code: 2,
      stderr: "llm-traces stats: --group-by 'password' is not one of model, request_model, agent_id, call_type, provider.\n",
    });
    expect(await runCli(['list', '--limit', 'lots', '--path', path])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--limit 'lots'"),
    });
    expect(await runCli(['frobnicate'])).toMatchObject({ code: 2, stderr: expect.stringContaining("unknown command 'frobnicate'") });
    expect(await runCli(['list', '--bogus'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('llm-traces list: unknown option --bogus; this command takes --endpoint, '),
    });
    const missing = await runCli(['stats', '--path', join(path, 'nowhere')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No llm-traces store at');
    expect(missing.stderr).not.toMatch(/\n\s+at /);
    const help = await runCli(['trace', '--help']);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining('Usage: llm-traces trace <traceId>') });
  });

  it('reads a store held by serve through it, and names refused credentials', async () => {
    const serve = await startServe(['--path', path, '--user', 'dev', '--password', 'dev-secret']);
    try {
      const locked = await runCli(['stats', '--path', path]);
      expect(locked.code).toBe(1);
      expect(locked.stderr).toContain(`is held by \`llm-traces serve\` (pid ${serve.child.pid}); using it at ${serve.url}`);
      expect(locked.stderr).toContain(`${serve.url} refused the credentials of user 'default'`);
      const refused = await runCli(['stats', '--endpoint', serve.url, '--user', 'dev', '--password', 'guess']);
      expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining("refused the credentials of user 'dev'") });
      expect(refused.stderr).not.toContain('guess');
      const served = JSON.parse(
        (
          await runCli(['list', '--json'], {
            OTEL_EXPORTER_CLICKHOUSE_ENDPOINT: serve.url,
            OTEL_EXPORTER_CLICKHOUSE_USERNAME: 'dev',
            OTEL_EXPORTER_CLICKHOUSE_PASSWORD: 'dev-secret',
          })
        ).stdout,
      );
      expect(served.map((c: { id: string }) => c.id).sort()).toEqual(['call-1', 'call-2']);
    } finally {
      await serve.stop();
    }
  });
});
