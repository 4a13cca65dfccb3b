/**
 * Child processes of the benchmark. chDB binds one data directory per process and a measured
 * process must not share its CPU accounting or heap with a sink or a server, so sections, samples,
 * sinks and servers each run in their own Node process (through bench/child.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './options.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

const CHILD_ENTRY = fileURLToPath(new URL('./child.ts', import.meta.url));

export interface ChildOptions {
  /** Extra Node flags, e.g. --cpu-prof. */
  nodeArgs?: readonly string[];
}

/** A measuring child's Node flags: a CPU profile with --profile. */
export function childOptions(options: BenchOptions): ChildOptions {
  return options.profileDir ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] } : {};
}

function spawnChild(name: string, args: unknown, extra: string[], stdio: 'ignore' | 'pipe', options: ChildOptions): ChildProcess {
  return spawn(
    process.execPath,
    ['--expose-gc', ...(options.nodeArgs ?? []), '--import', 'tsx', CHILD_ENTRY, name, JSON.stringify(args), ...extra],
    {
      stdio: [stdio, stdio, 'inherit'],
    },
  );
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(signal ? null : code));
  });
}

/** Runs a task of bench/child.ts to completion and returns what it returned. */
export async function runTask<T>(task: string, args: unknown, options: ChildOptions = {}): Promise<T> {
  const dir = makeTempDir('result');
  const resultFile = join(dir, 'result.json');
  try {
    const code = await exited(spawnChild(task, args, [resultFile], 'ignore', options));
    if (code !== 0)
      throw new Error(`bench task '${task}' exited with ${code === null ? 'a signal' : `code ${code}`} (its output is above)`);
    return JSON.parse(readFileSync(resultFile, 'utf8')) as T;
  } finally {
    removeTempDir(dir);
  }
}

export interface Service {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts a long-running service of bench/child.ts (a sink or a server). It prints its URL as the
 * first line and exits when its stdin closes, so it also ends if the benchmark dies.
 */
export async function startService(service: string, args: unknown = {}): Promise<Service> {
  const child = spawnChild(service, args, [], 'pipe', {});
  const done = exited(child);
  const lines = createInterface({ input: child.stdout! });
  const first = await Promise.race([
    new Promise<string>((resolve) => lines.once('line', resolve)),
    done.then((code) => Promise.reject(new Error(`bench service '${service}' exited with code ${code} before it was ready`))),
  ]);
  lines.close();
  child.stdout!.resume();
  const { url } = JSON.parse(first) as { url: string };
  return {
    url,
    async stop() {
      child.stdin!.end();
      await done;
    },
  };
}
