/**
 * A store held by `llm-traces serve` is found and used by the exporter and the CLI configured for
 * that embedded store; a store held by any other process is refused with one line that names it,
 * before the engine prints its own lock errors. All through child processes on real stores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, lines, makeAppDir, runNode, type AppDir } from '../../support/app-dir.js';
import { runCli, startServe, type ServeProcess } from '../../support/serve-process.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const GENAI_APP = readFileSync(new URL('../../fixtures/apps/genai-app.mjs', import.meta.url), 'utf8');
const ADDRESS_FILE = 'llm-traces-serve.json';
const CREDENTIALS = { OTEL_EXPORTER_CLICKHOUSE_USERNAME: 'dev', OTEL_EXPORTER_CLICKHOUSE_PASSWORD: 'dev-secret' };
const RAW_ENGINE_LINES = /Code: 76|Cannot lock file|DB::Exception/;

let app: AppDir;
beforeAll(() => {
  app = makeAppDir();
  app.write('app.mjs', GENAI_APP);
});
afterAll(() => app?.remove());

describe('a store held by llm-traces serve', () => {
  let store: string;
  let serve: ServeProcess;
  let notice: string;
  beforeAll(async () => {
    store = join(app.dir, 'served-store');
    serve = await startServe(['--path', store, '--user', 'dev', '--password', 'dev-secret']);
    notice = `the store at ${store} is held by \`llm-traces serve\` (pid ${serve.child.pid}); using it at ${serve.url}`;
  });
  afterAll(async () => {
    if (serve?.child.exitCode === null) await serve.stop();
  });

  it('records its pid and URL in the store, readable by its owner only, without credentials', () => {
    const file = join(store, ADDRESS_FILE);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const text = readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toEqual({ pid: serve.child.pid, url: serve.url });
    expect(text).not.toContain('dev-secret');
  });

  it('is used by a zero-code app configured for the store, which says so once', async () => {
    const env = cleanEnv({ OTEL_EXPORTER_CLICKHOUSE_PATH: store, OTEL_SERVICE_NAME: 'discovering-app', ...CREDENTIALS });
    const run = await runNode(['--import', 'llm-traces/register', 'app.mjs'], app.dir, env);
    expect(run.code).toBe(0);
    expect(lines(run.stderr)).toEqual([`llm-traces: ${notice}`]);
  });

  it('is read by the CLI configured for the store, with the server named when credentials are refused', async () => {
    const listed = await runCli(['list', '--json', '--path', store], CREDENTIALS);
    expect(listed.code).toBe(0);
    expect(lines(listed.stderr)).toEqual([`llm-traces: ${notice}`]);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ model: 'gpt-4.1', serviceName: 'discovering-app' })]);
    const refused = await runCli(['stats', '--path', store], cleanEnv({}));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${serve.url} refused the credentials of user 'default'`);
    expect(refused.stderr).not.toMatch(RAW_ENGINE_LINES);
  });

  it('lets `npm run example` run through it', async () => {
    const run = await runNode(
      ['--import', 'tsx', 'examples/quickstart.ts'],
      ROOT,
      cleanEnv({ OTEL_EXPORTER_CLICKHOUSE_PATH: store, ...CREDENTIALS }),
      120_000,
    );
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(RAW_ENGINE_LINES);
    // DiagConsoleLogger, which the quickstart sets, puts the component's name first.
    expect(lines(run.stderr)).toEqual([`llm-traces ${notice}`]);
    expect(run.stdout).toContain('Usage by model');
    expect(run.stdout).toMatch(/gpt-4\.1\S*\s+1\s+0 /);
    expect(run.stdout).toContain('Stored in the embedded store at');
  });

  it('removes its address when it stops cleanly', async () => {
    expect(await serve.stop()).toBe(0);
    expect(existsSync(join(store, ADDRESS_FILE))).toBe(false);
    const listed = await runCli(['list', '--json', '--path', store], cleanEnv({}));
    expect(listed).toMatchObject({ code: 0, stderr: '' });
  });
});

describe('a store held by another process', () => {
  let store: string;
  let script: string;
  let holder: ChildProcess;
  beforeAll(async () => {
    store = mkdtempSync(join(tmpdir(), 'llm-traces-held-'));
    // An app that opened the store and keeps running.
    script = app.write(
      'hold-store.mjs',
      `import { createChdbConnection } from 'chdb/connection';
const connection = createChdbConnection({ path: process.argv[2] });
await connection.chdb.queryAsync('CREATE DATABASE IF NOT EXISTS otel');
console.log('holding');
setInterval(() => {}, 1000);
`,
    );
    holder = spawn(process.execPath, [script, store], { cwd: app.dir, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.once('data', () => resolve());
      holder.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
  });
  afterAll(() => {
    holder?.kill();
    rmSync(store, { recursive: true, force: true });
  });

  it('is refused by the CLI in one line that names the process and what to run', async () => {
    const run = await runCli(['stats', '--path', store], cleanEnv({}));
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      `llm-traces stats: the embedded store at ${store} is open in another process (pid ${holder.pid}: ${process.execPath} ${script} ${store}), ` +
        `and only one process can open it: stop it; to share the store between processes, start \`llm-traces serve --path ${store}\` while none has it open: the exporter and the CLI configured for this store then find the server and use it.`,
    ]);
  });

  it('is reported by a zero-code app without the raw engine lines', async () => {
    const run = await runNode(['--import', 'llm-traces/register', 'app.mjs'], app.dir, cleanEnv({ OTEL_EXPORTER_CLICKHOUSE_PATH: store }));
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`the embedded store at ${store} is open in another process (pid ${holder.pid}`);
    expect(run.stderr).not.toMatch(RAW_ENGINE_LINES);
  });

  it('ignores an address left by a serve process that is gone', async () => {
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(join(store, ADDRESS_FILE), JSON.stringify({ pid: gone.pid, url: 'http://127.0.0.1:9' }), { mode: 0o600 });
    const run = await runCli(['stats', '--path', store], cleanEnv({}));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`open in another process (pid ${holder.pid}`);
    expect(run.stderr).not.toContain('127.0.0.1:9');
  });
});
