/**
 * The one way into embedded ClickHouse (chDB, an optional peer dependency): loads the package,
 * naming what to do when it is missing, and opens a connection on a data directory, naming what to
 * do when the directory is in use.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChdbConnection } from 'chdb/connection';
import { describeHolder, storeHolder } from './store-holder.js';

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
  ifBusy: (path: string) => string;
}

/**
 * Embedded ClickHouse cannot be used, and the message says what to do: the package is missing (not
 * retryable: installing it needs a restart) or another process holds the store (retryable: it may
 * let go).
 */
export class EmbeddedStoreError extends Error {
  override readonly name = 'EmbeddedStoreError';
  readonly retryable: boolean;
  constructor(
    message: string,
    readonly reason: 'chdb_missing' | 'store_busy',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.retryable = reason === 'store_busy';
  }
}

export async function openChdb(path: string, use: ChdbUse): Promise<OpenedChdb> {
  let modules: [ChdbModule, typeof import('chdb/connection')];
  try {
    modules = await Promise.all([import('chdb'), import('chdb/connection')]);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      const message = `${use.who} needs the optional package 'chdb' (embedded ClickHouse). ${use.ifMissing}`;
      throw new EmbeddedStoreError(message, 'chdb_missing', { cause: error });
    }
    throw error;
  }
  const [chdb, { createChdbConnection }] = modules;
  const dataPath = resolve(path);
  const holder = storeHolder(dataPath);
  if (holder) {
    throw new EmbeddedStoreError(
      `${use.who}: the embedded store at ${dataPath} is open in another process (${describeHolder(holder)}), and only one process can open it: ${use.ifBusy(dataPath)}`,
      'store_busy',
    );
  }
  try {
    mkdirSync(dataPath, { recursive: true });
    return { chdb, connection: createChdbConnection({ path: dataPath }), path: dataPath };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${use.who}: could not open the embedded ClickHouse store at ${dataPath}: ${message}. A store can be open in only one process at a time: ${use.ifBusy(dataPath)}`,
      { cause: error },
    );
  }
}
