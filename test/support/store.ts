/** A fresh embedded ClickHouse store in a temp directory, for tests that touch storage. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll } from 'vitest';
import { openClient } from '../../src/store/connection.js';

export interface TestStore {
  path: string;
  client: ClickHouseClient;
  /** Rows of a query as objects (JSONEachRow). */
  rows<T = Record<string, unknown>>(query: string, params?: Record<string, unknown>): Promise<T[]>;
  close(): Promise<void>;
}

export async function openTestStore(): Promise<TestStore> {
  const path = mkdtempSync(join(tmpdir(), 'llm-traces-test-'));
  const opened = await openClient({ kind: 'embedded', path });
  return {
    path,
    client: opened.client,
    async rows<T>(query: string, params?: Record<string, unknown>) {
      const result = await opened.client.query({ query, format: 'JSONEachRow', ...(params ? { query_params: params } : {}) });
      return result.json<T>();
    },
    async close() {
      await opened.close();
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh store for the tests of the enclosing file or describe block: opened before them, closed
 * (and its directory removed) after them, after the hooks registered later (vitest runs after-hooks
 * in reverse), so exporters on it shut down first.
 */
export function useTestStore(): TestStore {
  let opened: TestStore | undefined;
  beforeAll(async () => {
    opened = await openTestStore();
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
    close: () => current().close(),
  };
}
