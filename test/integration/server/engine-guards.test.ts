/**
 * The engine's own guards under serve's statement guard, proven on chDB itself: once a session
 * is in the state the server puts a request in (enforcementSql), the engine refuses what the
 * parser check is there to catch, so a statement the guard misread would still fail.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openChdb, type OpenedChdb } from '../../../src/store/chdb.js';
import { enforcementSql } from '../../../src/server/engine-sql.js';

let path: string;
let opened: OpenedChdb;

beforeAll(async () => {
  path = mkdtempSync(join(tmpdir(), 'llm-traces-engine-guards-'));
  opened = await openChdb(path, { who: 'engine-guards test', ifMissing: 'npm install chdb', ifBusy: () => 'one store per process' });
  await opened.connection.chdb.queryAsync('CREATE TABLE t (a String) ENGINE = MergeTree ORDER BY a', { format: 'CSV' });
});

afterAll(async () => {
  await opened.connection.close();
  rmSync(path, { recursive: true, force: true });
});

/** Runs `statements` in a fresh session after the server's enforcement for `kind`; the engine's error code, or 0. */
async function codeAfter(kind: 'read' | 'insert', statement: string): Promise<number> {
  const session = new opened.chdb.Session(opened.path);
  try {
    for (const sql of enforcementSql({ kind, settings: { max_execution_time: 60 }, tableFilters: undefined })) {
      await session.queryAsync(sql, { format: 'CSV' });
    }
    await session.queryAsync(statement, { format: 'CSV' });
    return 0;
  } catch (error) {
    return Number((error as { clickhouseCode?: number; code?: number }).clickhouseCode ?? (error as { code?: number }).code ?? -1);
  } finally {
    session.close();
  }
}

describe('a read runs with readonly = 1', () => {
  it.each([
    ['an INSERT', "INSERT INTO t VALUES ('x')"],
    ['a CREATE', 'CREATE TABLE u (a String) ENGINE = MergeTree ORDER BY a'],
    ['a DROP', 'DROP TABLE t'],
    ['lifting readonly again', 'SET readonly = 0'],
    ['a SETTINGS clause lifting it', 'SELECT 1 SETTINGS readonly = 0'],
    ['raising the time limit', 'SET max_execution_time = 1000'],
  ])('the engine refuses %s (READONLY, 164)', async (_name, statement) => {
    expect(await codeAfter('read', statement)).toBe(164);
  });

  it('the engine refuses the table functions that reach files and URLs too (READONLY, 164)', async () => {
    expect(await codeAfter('read', "SELECT * FROM file('/etc/hostname', 'LineAsString')")).toBe(164);
    expect(await codeAfter('read', "SELECT * FROM url('http://127.0.0.1:1/x', 'LineAsString')")).toBe(164);
  });

  it('still reads', async () => {
    expect(await codeAfter('read', 'SELECT count() FROM t')).toBe(0);
  });
});

describe('an insert runs with allow_ddl = 0', () => {
  it('the engine refuses DDL (QUERY_IS_PROHIBITED, 392) and still inserts', async () => {
    expect(await codeAfter('insert', 'CREATE TABLE v (a String) ENGINE = MergeTree ORDER BY a')).toBe(392);
    expect(await codeAfter('insert', "INSERT INTO t VALUES ('y')")).toBe(0);
  });
});
