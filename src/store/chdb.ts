/**
 * The one way into embedded ClickHouse (chDB, an optional peer dependency): loads the package,
 * naming what to do when it is missing, and opens a connection on a data directory, naming what to
 * do when the directory is in use.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChdbConnection } from 'chdb/connection';

export type ChdbModule = typeof import('chdb');

export interface OpenedChdb {
  chdb: ChdbModule;
  connection: ChdbConnection;
  /** The data directory, absolute. */
  path: string;
}

/** What the messages say: who needs chDB, and what to do when it is missing or the store is busy. */
export interface ChdbUse {
  who: string;
  ifMissing: string;
  ifBusy: string;
}

export async function openChdb(path: string, use: ChdbUse): Promise<OpenedChdb> {
  let modules: [ChdbModule, typeof import('chdb/connection')];
  try {
    modules = await Promise.all([import('chdb'), import('chdb/connection')]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(`${use.who} needs the optional package 'chdb' (embedded ClickHouse). ${use.ifMissing}`, { cause: error });
    }
    throw error;
  }
  const [chdb, { createChdbConnection }] = modules;
  const dataPath = resolve(path);
  try {
    mkdirSync(dataPath, { recursive: true });
    return { chdb, connection: createChdbConnection({ path: dataPath }), path: dataPath };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${use.who}: could not open the embedded ClickHouse store at ${dataPath}: ${message}. A store can be open in only one process at a time: ${use.ifBusy}`,
      { cause: error },
    );
  }
}
