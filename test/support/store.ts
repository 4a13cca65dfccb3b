/** A fresh embedded ClickHouse store in a temp directory, for tests that touch storage. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
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
