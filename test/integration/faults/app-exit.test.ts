/**
 * An app's process ends while the exporter still holds rows: they are stored when the process can
 * wait (the event loop empties), or counted and said in one line when it cannot (process.exit()),
 * and an awaited flush never leaves the app with a promise that never settles (exit code 13).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FaultProxy } from './fault-proxy.js';
import { freePort, storedCounts, useServedStore } from './harness.js';

const CHILD = fileURLToPath(new URL('./app-exit.child.mjs', import.meta.url));

interface AppRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function runApp(env: Record<string, string>): Promise<AppRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [CHILD], { env: { ...process.env, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? null) : 0;
      resolve({ code: typeof code === 'number' ? code : null, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const NONE_DROPPED = { buffer_full: 0, expired: 0, shutdown: 0, permanent_failure: 0, invalid_row: 0, conversion: 0 };

/** The exporter's counters as the app printed them on 'exit', after the exporter's own accounting. */
function exitStats(run: AppRun): unknown {
  const line = /^exit (\{.*\})$/m.exec(run.stdout);
  if (!line) throw new Error(`the app printed no counters at exit:\n${run.stdout}\n${run.stderr}`);
  return JSON.parse(line[1]!);
}

describe('rows held at the end of the process', () => {
  const served = useServedStore();

  it('stores them once the event loop empties when the app never shuts the SDK down', async () => {
    const proxy = await FaultProxy.start(served.current.url);
    // HTTP 500 for every insert during the first 1.5 s: the rows wait for their retry (on timers
    // that do not keep an idle app alive) when the app's last await returns.
    let outageEnds: number | undefined;
    proxy.policy = ({ insert }) => {
      if (!insert) return { kind: 'pass' };
      outageEnds ??= Date.now() + 1_500;
      return Date.now() < outageEnds ? { kind: 'status', status: 500, body: 'Internal Server Error' } : { kind: 'pass' };
    };
    try {
      const run = await runApp({
        ENDPOINT: proxy.url,
        EXIT_MODE: 'leave',
        SERVICE: 'exit-never-shut-down',
        RETRY_BUDGET_MS: '30000',
      });
      // The SDK's BatchSpanProcessor resolved its forceFlush with the rows accepted, none stored yet.
      const flushed = JSON.parse(run.stdout.split('\n')[0]!) as { outcome: string; stats: { exportedSpans: number; bufferedRows: number } };
      expect(flushed).toMatchObject({ outcome: 'resolved', stats: { exportedSpans: 0, bufferedRows: 40 } });
      expect(run.code).toBe(0);
      expect(exitStats(run)).toMatchObject({ exportedSpans: 40, bufferedRows: 0, dropped: NONE_DROPPED });
      expect(await storedCounts(served.current.url, 'exit-never-shut-down')).toMatchObject({ spans: 40, distinctSpans: 40 });
      expect(run.stderr).not.toMatch(/^error/m);
      expect(run.ms).toBeLessThan(15_000);
    } finally {
      await proxy.close();
    }
  });

  it('an awaited forceFlush() with the store down resolves once the retry budget is spent, every row counted', async () => {
    const run = await runApp({ ENDPOINT: `http://127.0.0.1:${await freePort()}`, EXIT_MODE: 'flush', SERVICE: 'exit-flush-down' });
    expect(run.code).toBe(0);
    expect(exitStats(run)).toMatchObject({ exportedSpans: 0, bufferedRows: 0, dropped: { ...NONE_DROPPED, expired: 40 } });
  });

  it('process.exit() with rows not stored: one error line that counts them', async () => {
    const run = await runApp({
      ENDPOINT: `http://127.0.0.1:${await freePort()}`,
      EXIT_MODE: 'exit',
      SERVICE: 'exit-now',
      RETRY_BUDGET_MS: '30000',
    });
    expect(run.code).toBe(0);
    // The export answered once its rows were accepted, without waiting for the store.
    expect(run.ms).toBeLessThan(4_000);
    const errors = run.stderr.split('\n').filter((line) => line.startsWith('error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('the process exited with 40 rows not yet stored');
    expect(exitStats(run)).toMatchObject({ exportedSpans: 0, bufferedRows: 0, dropped: { ...NONE_DROPPED, shutdown: 40 } });
  });
});
