import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readServeAddress, removeServeAddress, servingProcess, writeServeAddress } from '../../../src/store/serve-address.js';
import { storeHolder } from '../../../src/store/store-holder.js';

const FILE = 'llm-traces-serve.json';
let store: string;
beforeEach(() => {
  store = mkdtempSync(join(tmpdir(), 'llm-traces-address-'));
});
afterEach(() => rmSync(store, { recursive: true, force: true }));

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

describe('serve address', () => {
  it('is written with this pid and the URL, read back, and removed by its writer only', () => {
    writeServeAddress(store, 'http://127.0.0.1:8124');
    expect(JSON.parse(readFileSync(join(store, FILE), 'utf8'))).toEqual({ pid: process.pid, url: 'http://127.0.0.1:8124' });
    expect(readServeAddress(store)).toEqual({ pid: process.pid, url: 'http://127.0.0.1:8124' });
    writeFileSync(join(store, FILE), JSON.stringify({ pid: process.ppid, url: 'http://127.0.0.1:8125' }), { mode: 0o600 });
    removeServeAddress(store);
    expect(readServeAddress(store)).toEqual({ pid: process.ppid, url: 'http://127.0.0.1:8125' });
  });

  it.each([
    ['a process that is gone', () => JSON.stringify({ pid: deadPid(), url: 'http://127.0.0.1:8123' })],
    ['not JSON', () => 'http://127.0.0.1:8123'],
    ['a URL that is not http', () => JSON.stringify({ pid: process.pid, url: 'file:///etc/passwd' })],
    ['no pid', () => JSON.stringify({ url: 'http://127.0.0.1:8123' })],
  ])('is ignored when it names %s', (_what, text) => {
    writeFileSync(join(store, FILE), text(), { mode: 0o600 });
    expect(readServeAddress(store)).toBeUndefined();
  });

  it('is ignored when others may write it', () => {
    writeServeAddress(store, 'http://127.0.0.1:8124');
    chmodSync(join(store, FILE), 0o622);
    expect(readServeAddress(store)).toBeUndefined();
  });

  it('names the serving process only when the engine lock is held by the same live pid', () => {
    writeServeAddress(store, 'http://127.0.0.1:8124');
    // This process holds no lock here: the store is free, whatever the address says.
    expect(servingProcess(store)).toBeUndefined();
    writeFileSync(join(store, 'status'), `PID: ${process.ppid}\nStarted at: 2026-12-03 13:00:00\nRevision: 54513\n`);
    expect(storeHolder(store)).toMatchObject({ pid: process.ppid });
    expect(servingProcess(store)).toBeUndefined(); // held, but by another pid than the address names
    writeFileSync(join(store, FILE), JSON.stringify({ pid: process.ppid, url: 'http://127.0.0.1:8125' }), { mode: 0o600 });
    expect(servingProcess(store)).toEqual({ pid: process.ppid, url: 'http://127.0.0.1:8125' });
    writeFileSync(join(store, 'status'), `PID: ${deadPid()}\n`);
    expect(storeHolder(store)).toBeUndefined();
    expect(servingProcess(store)).toBeUndefined();
  });
});
