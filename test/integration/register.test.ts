import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { openClient } from '../../src/store/connection.js';

const run = promisify(execFile);
const path = mkdtempSync(join(tmpdir(), 'llm-traces-register-'));

afterAll(() => rmSync(path, { recursive: true, force: true }));

describe('node --import llm-traces/register', () => {
  it('exports an unmodified app from environment variables alone and flushes at exit', async () => {
    await run(process.execPath, ['--import', 'tsx', '--import', './src/register.ts', 'test/fixtures/apps/genai-app.mjs'], {
      env: { ...process.env, OTEL_EXPORTER_CLICKHOUSE_PATH: path, OTEL_SERVICE_NAME: 'zero-code-app', OTEL_BSP_SCHEDULE_DELAY: '60000' },
      timeout: 60_000,
    });
    const { client, close } = await openClient({ kind: 'embedded', path });
    try {
      const spans = await (
        await client.query({
          query: 'SELECT SpanName, ServiceName, ScopeName FROM otel.otel_traces ORDER BY SpanName',
          format: 'JSONEachRow',
        })
      ).json();
      expect(spans).toEqual([
        { SpanName: 'chat gpt-4.1', ServiceName: 'zero-code-app', ScopeName: 'my-llm-instrumentation' },
        { SpanName: 'invoke_agent support', ServiceName: 'zero-code-app', ScopeName: 'my-llm-instrumentation' },
      ]);
      const calls = await (
        await client.query({
          query: 'SELECT model, provider, prompt_tokens, completion_tokens, service_name FROM otel.llm_traces',
          format: 'JSONEachRow',
        })
      ).json();
      expect(calls).toEqual([
        { model: 'gpt-4.1', provider: 'openai', prompt_tokens: 42, completion_tokens: 7, service_name: 'zero-code-app' },
      ]);
    } finally {
      await close();
    }
  });
});
