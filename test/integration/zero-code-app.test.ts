/**
 * `node --import llm-traces/register app.mjs` in a user's app directory (the package copied into its
 * node_modules, as an install leaves it), run as child processes: what each failure prints, how the
 * app exits, and an ESM app whose instrumentation needs the loader hook.
 *
 * Times are hang guards only: the bound is generous next to a run of the same app without
 * llm-traces, and catches waits of seconds such as a retried failure or a 5 s export timer.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient } from '../../src/store/connection.js';
import { cleanEnv, lines, makeAppDir, runNode, type AppDir } from '../support/app-dir.js';
import { FAKE_USAGE, startFakeProvider, type FakeProvider } from '../support/fake-provider.js';
import { startServe, type ServeProcess } from '../support/serve-process.js';

const GENAI_APP = readFileSync(new URL('../fixtures/apps/genai-app.mjs', import.meta.url), 'utf8');
const NO_SPANS_APP = "console.log('done without spans');\n";
/** Slack over the same app without llm-traces: well below the 5 s an export waits for a store that does not answer. */
const SLACK_MS = 3_000;

async function rows(path: string, query: string): Promise<unknown[]> {
  const { client, close } = await openClient({ kind: 'embedded', path });
  try {
    return await (await client.query({ query, format: 'JSONEachRow' })).json();
  } finally {
    await close();
  }
}

describe('zero-code register in an app without chdb installed', () => {
  let app: AppDir;
  let baselineMs: number;
  beforeAll(async () => {
    app = makeAppDir({ chdb: false });
    app.write('app.mjs', GENAI_APP);
    baselineMs = (await runNode(['app.mjs'], app.dir)).ms;
  });
  afterAll(() => app?.remove());

  it('prints one line naming the missing package and both fixes, and the app exits at once', async () => {
    const run = await runNode(['--import', 'llm-traces/register', 'app.mjs'], app.dir, cleanEnv({}));
    expect(run.code).toBe(0);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^llm-traces: .*needs the optional package 'chdb'/)]);
    expect(run.stderr).toContain('npm install chdb');
    expect(run.stderr).toContain('OTEL_EXPORTER_CLICKHOUSE_ENDPOINT');
    expect(run.stderr).toContain('Not retried');
    expect(run.ms).toBeLessThan(baselineMs + SLACK_MS);
  });

  it('honours OTEL_LOG_LEVEL: debug shows the SDK and llm-traces at work, none shows nothing', async () => {
    const debug = await runNode(['--import', 'llm-traces/register', 'app.mjs'], app.dir, cleanEnv({ OTEL_LOG_LEVEL: 'debug' }));
    expect(debug.code).toBe(0);
    expect(debug.stderr + debug.stdout).toContain('llm-traces exporting to embedded chDB at .llm-traces');
    expect(debug.stderr + debug.stdout).toContain("needs the optional package 'chdb'");
    const none = await runNode(['--import', 'llm-traces/register', 'app.mjs'], app.dir, cleanEnv({ OTEL_LOG_LEVEL: 'none' }));
    expect(none).toMatchObject({ code: 0, stderr: '' });
  });

  it('says once that an invalid setting leaves the app untraced', async () => {
    const run = await runNode(
      ['--import', 'llm-traces/register', 'app.mjs'],
      app.dir,
      cleanEnv({ OTEL_EXPORTER_CLICKHOUSE_TTL_DAYS: 'a week' }),
    );
    expect(run.code).toBe(0);
    expect(lines(run.stderr)).toEqual([
      "llm-traces: environment variable OTEL_EXPORTER_CLICKHOUSE_TTL_DAYS is 'a week'; it must be a whole number greater than 0. The app runs without tracing.",
    ]);
    expect(run.ms).toBeLessThan(baselineMs + SLACK_MS);
  });
});

describe('zero-code register against a server', () => {
  let app: AppDir;
  let serve: ServeProcess;
  let baselineMs: number;
  beforeAll(async () => {
    app = makeAppDir();
    app.write('app.mjs', GENAI_APP);
    app.write('quiet.mjs', NO_SPANS_APP);
    serve = await startServe(['--path', join(app.dir, 'served'), '--user', 'dev', '--password', 'dev-secret']);
    baselineMs = (await runNode(['app.mjs'], app.dir)).ms;
  });
  afterAll(async () => {
    await serve?.stop();
    app?.remove();
  });

  it('prints one line for a wrong password, never the password, and the app exits at once', async () => {
    const env = cleanEnv({
      OTEL_EXPORTER_CLICKHOUSE_ENDPOINT: serve.url,
      OTEL_EXPORTER_CLICKHOUSE_USERNAME: 'dev',
      OTEL_EXPORTER_CLICKHOUSE_PASSWORD: 'not-the-password',
    });
    const run = await runNode(['--import', 'llm-traces/register', 'app.mjs'], app.dir, env);
    expect(run.code).toBe(0);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^llm-traces: ClickHouse refused the exporter \(AUTHENTICATION_FAILED\)/)]);
    expect(run.stderr).toContain('check OTEL_EXPORTER_CLICKHOUSE_USERNAME and OTEL_EXPORTER_CLICKHOUSE_PASSWORD');
    expect(run.stderr).not.toContain('not-the-password');
    expect(run.ms).toBeLessThan(baselineMs + SLACK_MS);
  });

  it('adds no wait at exit when there is nothing to send', async () => {
    const quietBaseline = (await runNode(['quiet.mjs'], app.dir)).ms;
    const env = cleanEnv({
      OTEL_EXPORTER_CLICKHOUSE_ENDPOINT: serve.url,
      OTEL_EXPORTER_CLICKHOUSE_USERNAME: 'dev',
      OTEL_EXPORTER_CLICKHOUSE_PASSWORD: 'dev-secret',
    });
    const run = await runNode(['--import', 'llm-traces/register', 'quiet.mjs'], app.dir, env);
    expect(run).toMatchObject({ code: 0, stdout: 'done without spans\n', stderr: '' });
    expect(run.ms).toBeLessThan(quietBaseline + SLACK_MS);
  });
});

describe('zero-code register in an ESM app with @opentelemetry/instrumentation-openai', () => {
  let app: AppDir;
  let provider: FakeProvider;
  beforeAll(async () => {
    app = makeAppDir({ openaiInstrumentation: true });
    provider = await startFakeProvider();
    // Static imports: openai is loaded before the instrumentation is enabled, as in most apps.
    app.write(
      'app.mjs',
      `import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import OpenAI from 'openai';

registerInstrumentations({ instrumentations: [new OpenAIInstrumentation()] });
const openai = new OpenAI({ apiKey: 'sk-test', baseURL: process.env.OPENAI_BASE_URL });
const completion = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] });
console.log(completion.choices[0].message.role);
`,
    );
  });
  afterAll(async () => {
    await provider?.close();
    app?.remove();
  });

  it('installs the loader hook, so the call is stored, and prints nothing', async () => {
    const path = join(app.dir, '.llm-traces');
    const env = cleanEnv({ OPENAI_BASE_URL: `${provider.url}/v1`, OTEL_SERVICE_NAME: 'esm-app', OTEL_EXPORTER_CLICKHOUSE_PATH: path });
    const run = await runNode(['--import', 'llm-traces/register', 'app.mjs'], app.dir, env);
    expect(run).toMatchObject({ code: 0, stdout: 'assistant\n', stderr: '' });
    const usage = FAKE_USAGE['openai.chat'].text;
    expect(await rows(path, 'SELECT service_name, request_model, prompt_tokens, completion_tokens FROM otel.llm_traces')).toEqual([
      {
        service_name: 'esm-app',
        request_model: 'gpt-4o-mini',
        prompt_tokens: usage.prompt_tokens,
        completion_tokens: usage.completion_tokens,
      },
    ]);
  });
});
