import { describe, expect, it } from 'vitest';
import {
  contentType,
  enforcementSql,
  outputFormat,
  quoteString,
  requestSettingsSql,
  sessionSetupSql,
  simpleInsert,
  statementText,
} from '../../../src/server/engine-sql.js';
import { quoteIdentifier } from '../../../src/schema/ddl.js';
import { multipartFields } from '../../../src/server/multipart.js';
import { compressionLevel, parseQueryRequest, queryId, responseEncoding, type QueryRequest } from '../../../src/server/query-request.js';

describe('parseQueryRequest', () => {
  it('separates reserved names, query parameters and settings as ClickHouse does', () => {
    const params = new URLSearchParams([
      ['query', 'INSERT INTO t FORMAT JSONEachRow'],
      ['query_id', 'q1'],
      ['database', 'analytics'],
      ['default_format', 'JSONEachRow'],
      ['user', 'u'],
      ['password', 'p'],
      ['wait_end_of_query', '1'],
      ['param_name', "it\\'s"],
      ['param_ids', "['a','b']"],
      ['async_insert', '1'],
      ['wait_for_async_insert', '1'],
      ['no_such_setting', 'x'],
    ]);
    expect(parseQueryRequest('POST', params, {})).toEqual({
      query: 'INSERT INTO t FORMAT JSONEachRow',
      database: 'analytics',
      defaultFormat: 'JSONEachRow',
      queryParams: [
        ['name', "it\\'s"],
        ['ids', "['a','b']"],
      ],
      // Unknown names are passed on: the engine answers UNKNOWN_SETTING, as a real server does.
      settings: [
        ['async_insert', '1'],
        ['wait_for_async_insert', '1'],
        ['no_such_setting', 'x'],
      ],
      readonly: false,
    });
  });

  it('takes the database and default format from X-ClickHouse headers first, and runs GET read-only', () => {
    const params = new URLSearchParams({ database: 'a', default_format: 'CSV' });
    const request = parseQueryRequest('GET', params, { 'x-clickhouse-database': 'b', 'x-clickhouse-format': 'JSON' });
    expect(request).toMatchObject({ database: 'b', defaultFormat: 'JSON', readonly: true, query: undefined });
  });

  it('defaults to TabSeparated output', () => {
    expect(parseQueryRequest('POST', new URLSearchParams(), {}).defaultFormat).toBe('TabSeparated');
  });

  it('refuses HTTP sessions and native compression instead of silently ignoring them', () => {
    expect(() => parseQueryRequest('POST', new URLSearchParams({ session_id: 's' }), {})).toThrow(/session_id/);
    expect(() => parseQueryRequest('POST', new URLSearchParams({ compress: '1' }), {})).toThrow(/compress=1/);
    expect(parseQueryRequest('POST', new URLSearchParams({ compress: '0', decompress: 'false' }), {}).settings).toEqual([]);
  });
});

describe('queryId', () => {
  it('prefers the parameter, then the X-ClickHouse-Query-Id header, else makes one', () => {
    expect(queryId(new URLSearchParams({ query_id: 'a' }), { 'x-clickhouse-query-id': 'b' })).toBe('a');
    expect(queryId(new URLSearchParams(), { 'x-clickhouse-query-id': 'b' })).toBe('b');
    expect(queryId(new URLSearchParams(), {})).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('responseEncoding and compressionLevel', () => {
  it('compresses only with enable_http_compression and an Accept-Encoding it can produce', () => {
    const enabled = new URLSearchParams({ enable_http_compression: '1' });
    expect(responseEncoding(enabled, 'gzip')).toBe('gzip');
    expect(responseEncoding(enabled, 'gzip, deflate, br')).toBe('br');
    expect(responseEncoding(enabled, 'deflate')).toBe('deflate');
    expect(responseEncoding(enabled, 'zstd')).toBeUndefined();
    expect(responseEncoding(enabled, undefined)).toBeUndefined();
    expect(responseEncoding(new URLSearchParams(), 'gzip')).toBeUndefined();
    expect(responseEncoding(new URLSearchParams({ enable_http_compression: '0' }), 'gzip')).toBeUndefined();
  });

  it('reads http_zlib_compression_level, falling back to 3 outside 1-9', () => {
    expect(compressionLevel(new URLSearchParams({ http_zlib_compression_level: '7' }))).toBe(7);
    expect(compressionLevel(new URLSearchParams({ http_zlib_compression_level: '42' }))).toBe(3);
    expect(compressionLevel(new URLSearchParams())).toBe(3);
  });
});

const request = (overrides: Partial<QueryRequest>): QueryRequest => ({
  query: undefined,
  database: undefined,
  defaultFormat: 'TabSeparated',
  queryParams: [],
  settings: [],
  readonly: false,
  ...overrides,
});

describe('sessionSetupSql', () => {
  it('selects the database and sets the raw parameter text, nothing else, before the guard reads the statement', () => {
    expect(sessionSetupSql(request({}))).toBe('');
    const sql = sessionSetupSql(request({ database: 'my`db', settings: [['max_threads', '3']], queryParams: [['name', "it\\'s"]] }));
    expect(sql).toBe("USE `my\\`db`;\nSET `param_name` = 'it\\\\\\'s'");
  });
});

describe('requestSettingsSql', () => {
  it('applies the server defaults a ClickHouse server has and chDB does not, under the request own', () => {
    expect(requestSettingsSql([])).toBe("SET `output_format_json_quote_64bit_integers` = '1'");
    expect(requestSettingsSql([['output_format_json_quote_64bit_integers', '0']])).toBe(
      "SET `output_format_json_quote_64bit_integers` = '0'",
    );
    expect(requestSettingsSql([['max_threads', '3']])).toBe("SET `output_format_json_quote_64bit_integers` = '1', `max_threads` = '3'");
  });
});

describe('enforcementSql', () => {
  it('sets the limits, then locks a read in readonly = 1 as a statement of its own', () => {
    expect(enforcementSql({ kind: 'read', settings: { max_execution_time: 60, log_comment: 'm' }, tableFilters: undefined })).toEqual([
      "SET `max_execution_time` = '60', `log_comment` = 'm'",
      'SET readonly = 1',
    ]);
  });

  it('gives an insert no DDL, and an organization-bound credential its row filters', () => {
    expect(enforcementSql({ kind: 'insert', settings: {}, tableFilters: { 'otel.llm_traces': "OrganizationId = 'a''b'" } })).toEqual([
      "SET additional_table_filters = {'otel.llm_traces': 'OrganizationId = \\'a\\'\\'b\\''}, allow_ddl = 0",
    ]);
  });
});

describe('quoting', () => {
  it('escapes backslashes and quotes in identifiers and strings', () => {
    expect(quoteIdentifier('a`b\\c')).toBe('`a\\`b\\\\c`');
    expect(quoteString("a'b\\c")).toBe("'a\\'b\\\\c'");
  });
});

describe('statementText', () => {
  const utf8 = (text: string) => new TextEncoder().encode(text);

  it('appends the body to the query parameter, or uses either alone', () => {
    expect(statementText('INSERT INTO t FORMAT JSONEachRow', utf8('{"a":1}\n'))).toBe('INSERT INTO t FORMAT JSONEachRow\n{"a":1}\n');
    expect(statementText(undefined, utf8('SELECT 1'))).toBe('SELECT 1');
    expect(statementText('SELECT 1', new Uint8Array())).toBe('SELECT 1');
  });

  it('refuses an empty query and a body that is not UTF-8 text', () => {
    expect(() => statementText(undefined, utf8('  \n'))).toThrow(/Empty query/);
    expect(() => statementText('INSERT INTO t FORMAT RowBinary', new Uint8Array([0xff, 0xfe, 0x00]))).toThrow(/not UTF-8 text/);
  });
});

describe('simpleInsert', () => {
  it('recognizes the INSERT head @clickhouse/client sends', () => {
    expect(simpleInsert('INSERT INTO otel.llm_traces (a, b_c) FORMAT JSONEachRow')).toEqual({
      table: 'otel.llm_traces',
      columns: ['a', 'b_c'],
      format: 'JSONEachRow',
    });
    expect(simpleInsert('INSERT INTO `otel`.`llm_traces` FORMAT JSONEachRow')).toEqual({
      table: 'otel.llm_traces',
      columns: undefined,
      format: 'JSONEachRow',
    });
    expect(simpleInsert('insert into t format JSONCompactEachRow')).toEqual({
      table: 't',
      columns: undefined,
      format: 'JSONCompactEachRow',
    });
  });

  it('takes Nested sub-columns in the column list, as the exporter sends them for otel_traces', () => {
    expect(simpleInsert('INSERT INTO otel.otel_traces (Timestamp, Events.Timestamp, Links.Attributes) FORMAT JSONCompactEachRow')).toEqual({
      table: 'otel.otel_traces',
      columns: ['Timestamp', 'Events.Timestamp', 'Links.Attributes'],
      format: 'JSONCompactEachRow',
    });
    expect(simpleInsert('INSERT INTO t (a.b.c) FORMAT JSONCompactEachRow')).toBeUndefined();
  });

  it('leaves everything else to the general path', () => {
    expect(simpleInsert(undefined)).toBeUndefined();
    expect(simpleInsert('INSERT INTO `t``x` FORMAT JSONEachRow')).toBeUndefined();
    expect(simpleInsert('INSERT INTO t FORMAT RowBinary')).toBeUndefined();
    expect(simpleInsert('INSERT INTO t (* EXCEPT (a)) FORMAT JSONEachRow')).toBeUndefined();
    expect(simpleInsert('INSERT INTO t SETTINGS async_insert=1 FORMAT JSONEachRow')).toBeUndefined();
    expect(simpleInsert('INSERT INTO t SELECT 1')).toBeUndefined();
  });
});

describe('outputFormat and contentType', () => {
  it('takes a trailing FORMAT clause, else the default', () => {
    expect(outputFormat('SELECT 1 \nFORMAT JSONEachRow', 'TabSeparated')).toBe('JSONEachRow');
    expect(outputFormat('SELECT 1 FORMAT CSV;', 'TabSeparated')).toBe('CSV');
    expect(outputFormat('SELECT 1', 'JSON')).toBe('JSON');
    expect(outputFormat('INSERT INTO t FORMAT JSONEachRow\n{"a":1}', 'TabSeparated')).toBe('TabSeparated');
  });

  it('labels JSON formats as JSON', () => {
    expect(contentType('JSONEachRow')).toBe('application/json; charset=UTF-8');
    expect(contentType('TabSeparated')).toBe('text/plain; charset=UTF-8');
  });
});

describe('multipartFields', () => {
  const boundary = '----clickhouse-js-1234';
  const part = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;

  it('reads the form fields @clickhouse/client sends, values verbatim', () => {
    const body = Buffer.from(`${part('query', 'SELECT {v:Array(String)}')}${part('param_v', "['a\\r\\nb','c']")}--${boundary}--\r\n`);
    expect(multipartFields(body, `multipart/form-data; boundary=${boundary}`)).toEqual([
      ['query', 'SELECT {v:Array(String)}'],
      ['param_v', "['a\\r\\nb','c']"],
    ]);
  });

  it('refuses external tables (file parts) and malformed bodies', () => {
    const file = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="t"; filename="t.tsv"\r\n\r\n1\r\n--${boundary}--\r\n`);
    expect(() => multipartFields(file, `multipart/form-data; boundary=${boundary}`)).toThrow(/External tables/);
    expect(() => multipartFields(Buffer.from('x'), 'multipart/form-data')).toThrow(/no boundary/);
    expect(() => multipartFields(Buffer.from(part('q', '1')), `multipart/form-data; boundary=${boundary}`)).toThrow(/closing boundary/);
  });
});
