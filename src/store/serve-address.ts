/**
 * Where `llm-traces serve` can be reached, recorded in the store it holds, so that an exporter or
 * the CLI configured for that embedded store uses the server instead of failing on the lock. The
 * file holds the PID and the URL only (never credentials), readable by its owner only, and is
 * removed when serve stops cleanly; one whose process is gone is ignored.
 */
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isAlive, storeHolder } from './store-holder.js';

export interface ServeAddress {
  pid: number;
  url: string;
}

const FILE = 'llm-traces-serve.json';

export function writeServeAddress(storePath: string, url: string): void {
  const file = join(storePath, FILE);
  const partial = `${file}.${process.pid}.tmp`;
  writeFileSync(partial, `${JSON.stringify({ pid: process.pid, url } satisfies ServeAddress)}\n`, { mode: 0o600 });
  renameSync(partial, file); // readers see the whole file or none
}

/** Removes the address if this process wrote it. */
export function removeServeAddress(storePath: string): void {
  if (readServeAddress(storePath)?.pid === process.pid) rmSync(join(storePath, FILE), { force: true });
}

/**
 * The recorded address, if its process is alive and the file is this user's own and writable by
 * no one else: another local user must not be able to redirect spans (and credentials) elsewhere.
 */
export function readServeAddress(storePath: string): ServeAddress | undefined {
  const file = join(storePath, FILE);
  let parsed: unknown;
  try {
    const stat = statSync(file);
    if ((stat.mode & 0o022) !== 0 || (process.getuid !== undefined && stat.uid !== process.getuid())) return undefined;
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
  const { pid, url } = (parsed ?? {}) as Partial<ServeAddress>;
  if (typeof pid !== 'number' || typeof url !== 'string' || !/^https?:\/\//.test(url) || !isAlive(pid)) return undefined;
  return { pid, url };
}

/** The serve process that holds the store at `storePath` (the engine's lock and the address agree), if any. */
export function servingProcess(storePath: string): ServeAddress | undefined {
  const holder = storeHolder(storePath);
  if (!holder) return undefined;
  const address = readServeAddress(storePath);
  return address?.pid === holder.pid ? address : undefined;
}
