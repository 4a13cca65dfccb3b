/**
 * A user's app directory, as `npm install llm-traces ...` leaves it: this package copied (built
 * dist/, ddl/, package.json) into node_modules/llm-traces, next to links to the packages it and the
 * app import. A copy, not a link, so that nothing resolves through this repository's own
 * node_modules: leaving `chdb` out is then a real install without the optional package.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface AppDir {
  dir: string;
  /** Writes a file of the app (relative to its directory) and returns its path. */
  write(name: string, text: string): string;
  remove(): void;
}

export interface AppDirOptions {
  /** Install the optional peer `chdb` (default true). */
  chdb?: boolean;
  /** openai 6 and @opentelemetry/instrumentation-openai with the @opentelemetry/instrumentation it uses. */
  openaiInstrumentation?: boolean;
}

/** The directory `name` resolves to from the package directory `from`, as Node looks it up. */
function packageDir(name: string, from = ROOT): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`${name} is not installed (looked up from ${from})`);
  }
}

export function makeAppDir(options: AppDirOptions = {}): AppDir {
  const dir = mkdtempSync(join(tmpdir(), 'llm-traces-app-'));
  const modules = join(dir, 'node_modules');
  const own = join(modules, 'llm-traces');
  mkdirSync(own, { recursive: true });
  for (const entry of ['dist', 'ddl', 'package.json']) cpSync(join(ROOT, entry), join(own, entry), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
  const links = new Map<string, string>();
  for (const name of [...Object.keys(manifest.dependencies), '@opentelemetry/api']) links.set(name, packageDir(name));
  if (options.chdb !== false) links.set('chdb', packageDir('chdb'));
  if (options.openaiInstrumentation) {
    const instrumentation = packageDir('@opentelemetry/instrumentation-openai');
    links.set('@opentelemetry/instrumentation-openai', instrumentation);
    // The copy the instrumentation itself uses: its loader hook must be the one the app resolves.
    links.set('@opentelemetry/instrumentation', packageDir('@opentelemetry/instrumentation', instrumentation));
    links.set('openai', packageDir('openai'));
  }
  for (const [name, target] of links) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(target, join(modules, name), 'dir');
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'my-app', private: true, type: 'module' }));
  return {
    dir,
    write: (name, text) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface NodeRun {
  /** Exit code; null when the child was killed (the hang guard's timeout). */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall time from spawn to exit. */
  ms: number;
}

/** Runs `node ...args` in `cwd` and waits for it to exit (killed after `timeoutMs`, a hang guard). */
export function runNode(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}, timeoutMs = 60_000): Promise<NodeRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, args, { cwd, env: { ...process.env, ...env }, timeout: timeoutMs }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** `env` over the test's environment without its llm-traces, ClickHouse and OpenAI settings. */
export function cleanEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const unset = Object.keys(process.env).filter((name) => /^(OTEL_|CLICKHOUSE_|OPENAI_)/.test(name));
  return { ...Object.fromEntries(unset.map((name) => [name, undefined])), ...env };
}

/** The lines a run wrote to stderr, without empty ones. */
export function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}
