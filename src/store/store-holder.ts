/**
 * Which other process holds an embedded store. The engine (ClickHouse's StatusFile) locks
 * `<store>/status` and writes its PID there; opening a store another process holds makes the engine
 * print raw `Cannot lock file` lines, so it is looked up before the engine is asked.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StoreHolder {
  pid: number;
  /** Its command line where the platform shows it (/proc), cut to a readable length. */
  command: string | undefined;
}

/** The live process, other than this one, whose PID the store's status file names. */
export function storeHolder(storePath: string): StoreHolder | undefined {
  let status: string;
  try {
    status = readFileSync(join(storePath, 'status'), 'utf8');
  } catch {
    return undefined; // never opened, or closed cleanly (the engine removes the file)
  }
  const pid = Number(/^PID:\s*(\d+)/m.exec(status)?.[1]);
  if (!Number.isInteger(pid) || pid === process.pid || !isAlive(pid)) return undefined;
  return { pid, command: commandLine(pid) };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function commandLine(pid: number): string | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').replace(/\s+/g, ' ').trim();
    return text.length > 120 ? `${text.slice(0, 117)}...` : text || undefined;
  } catch {
    return undefined;
  }
}

/** `pid 123 (node app.mjs)`, for messages. */
export function describeHolder(holder: StoreHolder): string {
  return holder.command ? `pid ${holder.pid}: ${holder.command}` : `pid ${holder.pid}`;
}
