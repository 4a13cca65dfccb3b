/**
 * The README's "Add to your app" section, kept true: its install line names the versions installed
 * here, and its files (the ```js blocks that start with `// <file name>`) run as written, with the
 * commands it gives, in a user's app directory against the loopback fake provider.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClient } from '../../src/store/connection.js';
import { cleanEnv, makeAppDir, runNode, type AppDir } from '../support/app-dir.js';
import { startFakeProvider, type FakeProvider } from '../support/fake-provider.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
const SECTION = /^## Add to your app\n([\s\S]*?)^## /m.exec(README)?.[1] ?? '';

/** The section's files: ```js blocks whose first line is `// name`. */
function files(): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name, body] of SECTION.matchAll(/```js\n\/\/ (\S+)\n([\s\S]*?)```/g)) found.set(name!, body!);
  return found;
}

/** `^x.y.z`, `~x.y.z` or `x.y.z` against an installed version. */
function satisfies(version: string, range: string): boolean {
  const [, op, wanted] = /^([~^]?)(\d+\.\d+\.\d+)$/.exec(range) ?? [];
  if (wanted === undefined) return false;
  const [a, b, c] = version.split('.').map(Number) as [number, number, number];
  const [x, y, z] = wanted.split('.').map(Number) as [number, number, number];
  const atLeast = a > x || (a === x && (b > y || (b === y && c >= z)));
  if (op === '') return version === wanted;
  return atLeast && a === x && (op === '^' || b === y);
}

function installedVersion(dir: string, name: string): string {
  return (JSON.parse(readFileSync(join(dir, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

async function calls(path: string): Promise<unknown[]> {
  const { client, close } = await openClient({ kind: 'embedded', path });
  try {
    const result = await client.query({
      query: 'SELECT service_name, request_model, provider FROM otel.llm_traces',
      format: 'JSONEachRow',
    });
    return await result.json();
  } finally {
    await close();
  }
}

describe('README: Add to your app', () => {
  let app: AppDir;
  let provider: FakeProvider;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    app = makeAppDir({ openaiInstrumentation: true });
    for (const [name, text] of files()) app.write(name, text);
    provider = await startFakeProvider();
    env = cleanEnv({ OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: `${provider.url}/v1` });
  });
  afterAll(async () => {
    await provider?.close();
    app?.remove();
  });

  it('names versions of the packages that are installed together here', () => {
    const install = /^npm install (.+)$/m.exec(SECTION)?.[1]?.split(' ') ?? [];
    expect(install[0]).toBe('llm-traces');
    const pinned = install.slice(1).map((spec) => {
      const at = spec.lastIndexOf('@');
      return { name: spec.slice(0, at), range: spec.slice(at + 1) };
    });
    expect(pinned.map((p) => p.name)).toEqual([
      'chdb',
      '@opentelemetry/api',
      '@opentelemetry/sdk-trace-node',
      '@opentelemetry/instrumentation',
      '@opentelemetry/instrumentation-openai',
      'openai',
    ]);
    for (const { name, range } of pinned)
      expect({ name, installed: satisfies(installedVersion(app.dir, name), range) }).toEqual({ name, installed: true });
  });

  it('has the files it runs', () => {
    expect([...files().keys()]).toEqual(['app.mjs', 'instrument.mjs', 'instrumentation.mjs']);
  });

  it('zero code: records the call, prints only the reply, and the CLI lists it', async () => {
    expect(SECTION).toContain('OTEL_SERVICE_NAME=my-agent node --import llm-traces/register --import ./instrument.mjs app.mjs');
    const path = join(app.dir, 'zero-code-store');
    const run = await runNode(['--import', 'llm-traces/register', '--import', './instrument.mjs', 'app.mjs'], app.dir, {
      ...env,
      OTEL_SERVICE_NAME: 'my-agent',
      OTEL_EXPORTER_CLICKHOUSE_PATH: path,
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.trim()).not.toBe('');
    expect(await calls(path)).toEqual([{ service_name: 'my-agent', request_model: 'gpt-4o-mini', provider: 'openai' }]);
    const listed = await runNode(['node_modules/llm-traces/dist/cli/main.js', 'list'], app.dir, {
      ...env,
      OTEL_EXPORTER_CLICKHOUSE_PATH: path,
    });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain('gpt-4o-mini');
  });

  it('in code: the same through the ESM hook and a tracer provider of its own', async () => {
    expect(SECTION).toContain('node --import ./instrumentation.mjs app.mjs');
    const path = join(app.dir, 'in-code-store');
    const run = await runNode(['--import', './instrumentation.mjs', 'app.mjs'], app.dir, { ...env, OTEL_EXPORTER_CLICKHOUSE_PATH: path });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(await calls(path)).toEqual([
      { service_name: expect.stringMatching(/^unknown_service/), request_model: 'gpt-4o-mini', provider: 'openai' },
    ]);
  });
});
