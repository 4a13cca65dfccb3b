/** A fresh embedded ClickHouse store in a temp directory, for tests that touch storage. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll } from 'vitest';
import { openClient, type OpenedClient } from '../../src/store/connection.js';

export interface TestStore {
  path: string;
  /** The client of this process; throws while the store is released. */
  client: ClickHouseClient;
  /** Rows of a query as objects (JSONEachRow). */
  rows<T = Record<string, unknown>>(query: string, params?: Record<string, unknown>): Promise<T[]>;
  /** Closes the store in this process and keeps its directory: chDB allows one process per directory, so a child (`serve`, an app) can open it now. */
  release(): Promise<void>;
  /** Opens the store in this process again, to read what a child process wrote. */
  reopen(): Promise<void>;
  /** Closes the store if it is open and removes its directory. */
  close(): Promise<void>;
}

export interface TestStoreOptions {
  /** Start released: an empty directory for a child process to create the store in. */
  released?: boolean;
}

export async function openTestStore(options: TestStoreOptions = {}): Promise<TestStore> {
  const path = mkdtempSync(join(tmpdir(), 'llm-traces-test-'));
  const open = () => openClient({ kind: 'embedded', path });
  let opened: OpenedClient | undefined = options.released ? undefined : await open();
  const client = (): ClickHouseClient => {
    if (!opened) throw new Error(`The test store at ${path} is released: reopen() it to use it in this process`);
    return opened.client;
  };
  const release = async () => {
    const current = opened;
    opened = undefined;
    await current?.close();
  };
  return {
    path,
    get client() {
      return client();
    },
    async rows<T>(query: string, params?: Record<string, unknown>) {
      const result = await client().query({ query, format: 'JSONEachRow', ...(params ? { query_params: params } : {}) });
      return result.json<T>();
    },
    release,
    async reopen() {
      opened ??= await open();
    },
    async close() {
      await release();
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh store for the tests of the enclosing file or describe block: opened before them, closed
 * (and its directory removed) after them, after the hooks registered later (vitest runs after-hooks
 * in reverse), so exporters on it shut down first.
 */
export function useTestStore(options: TestStoreOptions = {}): TestStore {
  let opened: TestStore | undefined;
  beforeAll(async () => {
    opened = await openTestStore(options);
  });
  afterAll(async () => {
    await opened?.close();
  });
  const current = (): TestStore => {
    if (!opened) throw new Error('useTestStore: the store is open only inside tests and hooks');
    return opened;
  };
  return {
    get path() {
      return current().path;
    },
    get client() {
      return current().client;
    },
    rows: (query, params) => current().rows(query, params),
    release: () => current().release(),
    reopen: () => current().reopen(),
    close: () => current().close(),
  };
}
