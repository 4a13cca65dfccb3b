import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useTestStore } from '../support/store.js';

const run = promisify(execFile);
// Released from the start: the app creates the store in the empty directory, this process reads it afterwards.
const store = useTestStore({ released: true });

describe('node --import llm-traces/register', () => {
  it('exports an unmodified app from environment variables alone and flushes at exit', async () => {
    await run(process.execPath, ['--import', 'tsx', '--import', './src/register.ts', 'test/fixtures/apps/genai-app.mjs'], {
      env: {
        ...process.env,
        OTEL_EXPORTER_CLICKHOUSE_PATH: store.path,
        OTEL_SERVICE_NAME: 'zero-code-app',
        OTEL_BSP_SCHEDULE_DELAY: '60000',
      },
      timeout: 60_000,
    });
    await store.reopen();
    expect(await store.rows('SELECT SpanName, ServiceName, ScopeName FROM otel.otel_traces ORDER BY SpanName')).toEqual([
      { SpanName: 'chat gpt-4.1', ServiceName: 'zero-code-app', ScopeName: 'my-llm-instrumentation' },
      { SpanName: 'invoke_agent support', ServiceName: 'zero-code-app', ScopeName: 'my-llm-instrumentation' },
    ]);
    expect(await store.rows('SELECT model, provider, prompt_tokens, completion_tokens, service_name FROM otel.llm_traces')).toEqual([
      { model: 'gpt-4.1', provider: 'openai', prompt_tokens: 42, completion_tokens: 7, service_name: 'zero-code-app' },
    ]);
  });
});

describe('provider.forceFlush() under llm-traces/register', () => {
  const flushed = useTestStore({ released: true });

  it('means queryable: a query right after it counts every span and LLM call, embedded', async () => {
    // Three exports of 4096 spans: the last inserts are still running when the span processor's own flush is done.
    const spans = 3 * 4096;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '--import', './src/register.ts', 'test/fixtures/apps/flush-then-query.mjs'],
      {
        env: {
          ...process.env,
          OTEL_EXPORTER_CLICKHOUSE_PATH: flushed.path,
          OTEL_SERVICE_NAME: 'flush-then-query',
          OTEL_BSP_SCHEDULE_DELAY: '60000',
          SPANS: String(spans),
        },
        timeout: 60_000,
      },
    );
    expect(JSON.parse(stdout)).toEqual({ spans, llm: Math.floor((spans + 1) / 10) });
  });
});
