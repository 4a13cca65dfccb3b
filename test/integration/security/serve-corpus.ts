/**
 * Hostile requests against `llm-traces serve`: what a local process or a web page in the
 * developer's browser could send. Each names the refusal it must get: the HTTP status and the
 * ClickHouse error code (ACCESS_DENIED 497 for what the guard or the gate refuses, READONLY 164
 * and INTO_OUTFILE_NOT_ALLOWED 358 where the engine's own rule speaks, AUTHENTICATION_FAILED 516,
 * QUERY_IS_TOO_LARGE 413/229). `{{FILE}}`, `{{OUT}}` and `{{URL}}` stand for a secret file, a
 * directory that must stay empty and a listener that must never be called.
 */

export interface HostileRequest {
  name: string;
  method?: 'GET' | 'POST' | 'OPTIONS';
  /** Path and query string; default `/`. */
  path?: string;
  /** The statement, sent as the body of a POST (or `query` of a GET). */
  sql?: string;
  body?: string;
  headers?: Record<string, string>;
  /** Sent with the server's credentials (when it has any), so a password does not stop it first. */
  authenticated?: boolean;
  status: number;
  code: number;
}

const DENIED = { status: 403, code: 497 };
const NO_OUTFILE = { status: 500, code: 358 };
// The engine's own parse allows one statement per request (SYNTAX_ERROR 62, "Multi-statements are not allowed").
const ONE_STATEMENT = { status: 400, code: 62 };
const refusedSql = (name: string, sql: string): HostileRequest => ({ name, sql, authenticated: true, ...DENIED });

/** Table functions that reach files, processes or the network, by every spelling the engine accepts. */
const TABLE_FUNCTIONS: HostileRequest[] = [
  refusedSql('file()', "SELECT * FROM file('{{FILE}}', 'LineAsString')"),
  refusedSql('file() in mixed case', "SELECT * FROM FiLe('{{FILE}}', 'LineAsString')"),
  refusedSql('file() backquoted', "SELECT * FROM `file`('{{FILE}}', 'LineAsString')"),
  refusedSql('file() after a block comment', "SELECT * FROM /* harmless */ file('{{FILE}}', 'LineAsString')"),
  refusedSql('file() after a line comment', "-- SELECT 1\nSELECT * FROM file('{{FILE}}', 'LineAsString')"),
  refusedSql('file() in a nested subquery', "SELECT * FROM (SELECT * FROM (SELECT * FROM file('{{FILE}}', 'LineAsString')))"),
  refusedSql('file() in a CTE', "WITH x AS (SELECT * FROM file('{{FILE}}', 'LineAsString')) SELECT * FROM x"),
  refusedSql('file() in an IN subquery', "SELECT 1 WHERE 'a' IN (SELECT line FROM file('{{FILE}}', 'LineAsString'))"),
  refusedSql('file() in a scalar subquery', "SELECT (SELECT any(line) FROM file('{{FILE}}', 'LineAsString'))"),
  refusedSql('file() in a JOIN', "SELECT * FROM system.one AS a JOIN file('{{FILE}}', 'LineAsString') AS b ON 1 = 1"),
  refusedSql('file() in a UNION', "SELECT 'x' UNION ALL SELECT * FROM file('{{FILE}}', 'LineAsString')"),
  refusedSql('file() inside view()', "SELECT * FROM view(SELECT * FROM file('{{FILE}}', 'LineAsString'))"),
  refusedSql('file() the scalar function', "SELECT file('{{FILE}}')"),
  refusedSql('file() the scalar function in WHERE', "SELECT 1 WHERE length(file('{{FILE}}')) > 0"),
  refusedSql('url()', "SELECT * FROM url('{{URL}}', 'LineAsString')"),
  refusedSql('URL() upper case', "SELECT * FROM URL('{{URL}}', 'LineAsString')"),
  refusedSql('s3()', "SELECT * FROM s3('{{URL}}/bucket/x.csv', 'CSV')"),
  refusedSql('hdfs()', "SELECT * FROM hdfs('hdfs://127.0.0.1:9000/x', 'TSV', 'a String')"),
  refusedSql('remote()', "SELECT * FROM remote('127.0.0.1:9000', system.one)"),
  refusedSql('remoteSecure()', "SELECT * FROM remoteSecure('127.0.0.1:9440', system.one)"),
  refusedSql('cluster()', "SELECT * FROM cluster('default', system.one)"),
  refusedSql('mysql()', "SELECT * FROM mysql('127.0.0.1:3306', 'db', 't', 'u', 'p')"),
  refusedSql('postgresql()', "SELECT * FROM postgresql('127.0.0.1:5432', 'db', 't', 'u', 'p')"),
  refusedSql('executable()', "SELECT * FROM executable('id', 'TSV', 'x String')"),
  refusedSql('jdbc()', "SELECT * FROM jdbc('jdbc:x', 'db', 't')"),
  refusedSql('odbc()', "SELECT * FROM odbc('DSN=x', 'db', 't')"),
  refusedSql('azureBlobStorage()', "SELECT * FROM azureBlobStorage('{{URL}}', 'c', 'x.csv', 'a', 'k', 'CSV')"),
  refusedSql('sqlite()', "SELECT * FROM sqlite('{{FILE}}', 't')"),
  refusedSql('merge() over the store', "SELECT count() FROM merge('otel', '.*')"),
  refusedSql('a system table quoted as one dotted name', 'SELECT * FROM `system.processes`'),
  refusedSql('a dotted name in IN', "SELECT 1 WHERE 'x' IN `system.query_log`"),
  refusedSql('input()', "SELECT * FROM input('a String')"),
  refusedSql('icebergLocal()', "SELECT * FROM icebergLocal('{{OUT}}')"),
];

/** Reaching the engine's own secrets: configuration, other clients' statements, the process. */
const SYSTEM_READS: HostileRequest[] = [
  refusedSql('system.processes (other clients’ statements)', 'SELECT query FROM system.processes'),
  refusedSql('system.query_log', 'SELECT query FROM system.query_log'),
  refusedSql('system.server_settings (paths)', 'SELECT name, value FROM system.server_settings'),
  refusedSql('system.users', 'SELECT * FROM system.users'),
  refusedSql('system.disks (paths)', 'SELECT path FROM system.disks'),
  refusedSql('system.stack_trace', 'SELECT * FROM system.stack_trace'),
  refusedSql('getServerSetting()', "SELECT getServerSetting('path')"),
  refusedSql('dictGet()', "SELECT dictGet('d', 'x', 1)"),
  refusedSql('joinGet() naming a table in a string', "SELECT joinGet('otel.llm_traces', 'model', 'x')"),
];

/** Writing files, changing the schema or the engine, and settings that would re-enable any of it. */
const WRITES: HostileRequest[] = [
  // A ClickHouse server answers INTO OUTFILE over HTTP with INTO_OUTFILE_NOT_ALLOWED (358, HTTP 500): so does this one.
  { name: 'INTO OUTFILE', sql: "SELECT 1 INTO OUTFILE '{{OUT}}/x.txt'", authenticated: true, ...NO_OUTFILE },
  {
    name: 'into outfile, lower case, with APPEND',
    sql: "select 1 into outfile '{{OUT}}/y.txt' append",
    authenticated: true,
    ...NO_OUTFILE,
  },
  {
    name: 'INTO OUTFILE behind a comment',
    sql: "SELECT 1 /* x */ INTO /* y */ OUTFILE '{{OUT}}/z.txt'",
    authenticated: true,
    ...NO_OUTFILE,
  },
  {
    name: 'INTO OUTFILE in a subquery-wrapped select',
    sql: "SELECT * FROM (SELECT 1) INTO OUTFILE '{{OUT}}/s.txt' TRUNCATE",
    authenticated: true,
    ...NO_OUTFILE,
  },
  refusedSql('INSERT INTO FUNCTION file()', "INSERT INTO FUNCTION file('{{OUT}}/w.csv', 'CSV', 'a String') VALUES ('x')"),
  refusedSql('INSERT ... SELECT from file()', "INSERT INTO otel.llm_traces (trace_id) SELECT line FROM file('{{FILE}}', 'LineAsString')"),
  refusedSql('DROP TABLE', 'DROP TABLE otel.llm_traces'),
  refusedSql('DROP TABLE IF EXISTS, lower case', 'drop table if exists otel.otel_traces'),
  refusedSql('DROP DATABASE', 'DROP DATABASE otel'),
  refusedSql('TRUNCATE', 'TRUNCATE TABLE otel.llm_traces'),
  refusedSql('ALTER ... DELETE', 'ALTER TABLE otel.llm_traces DELETE WHERE 1'),
  refusedSql('ALTER ... UPDATE', "ALTER TABLE otel.llm_traces UPDATE model = 'x' WHERE 1"),
  refusedSql('lightweight DELETE', 'DELETE FROM otel.llm_traces WHERE 1'),
  refusedSql('RENAME TABLE', 'RENAME TABLE otel.llm_traces TO otel.gone'),
  refusedSql('EXCHANGE TABLES', 'EXCHANGE TABLES otel.llm_traces AND otel.otel_traces'),
  refusedSql('DETACH TABLE', 'DETACH TABLE otel.llm_traces'),
  refusedSql('ATTACH TABLE from a path', "ATTACH TABLE otel.stolen FROM '{{OUT}}' (a String) ENGINE = MergeTree ORDER BY a"),
  refusedSql('CREATE TABLE ENGINE = File', "CREATE TABLE otel.f (a String) ENGINE = File(CSV, '{{OUT}}/t.csv')"),
  refusedSql('CREATE TABLE ENGINE = URL', "CREATE TABLE otel.u (a String) ENGINE = URL('{{URL}}', CSV)"),
  refusedSql('CREATE TABLE AS file()', "CREATE TABLE otel.c AS file('{{FILE}}', 'LineAsString')"),
  refusedSql('CREATE VIEW over file()', "CREATE VIEW otel.v AS SELECT * FROM file('{{FILE}}', 'LineAsString')"),
  refusedSql(
    'CREATE MATERIALIZED VIEW',
    'CREATE MATERIALIZED VIEW otel.mv ENGINE = MergeTree ORDER BY tuple() AS SELECT * FROM otel.llm_traces',
  ),
  refusedSql(
    'CREATE DICTIONARY with a file source',
    "CREATE DICTIONARY otel.d (k UInt64, v String) PRIMARY KEY k SOURCE(FILE(path '{{FILE}}' format 'TSV')) LAYOUT(FLAT()) LIFETIME(0)",
  ),
  refusedSql('CREATE FUNCTION', 'CREATE FUNCTION evil AS (x) -> x'),
  refusedSql('CREATE USER', "CREATE USER evil IDENTIFIED BY 'x'"),
  refusedSql('GRANT', 'GRANT ALL ON *.* TO default'),
  refusedSql('SYSTEM SHUTDOWN', 'SYSTEM SHUTDOWN'),
  refusedSql('SYSTEM RELOAD CONFIG', 'SYSTEM RELOAD CONFIG'),
  refusedSql('KILL QUERY (other clients)', 'KILL QUERY WHERE 1 SYNC'),
  refusedSql('BACKUP to a file', "BACKUP TABLE otel.llm_traces TO File('{{OUT}}/b.zip')"),
  refusedSql('SET readonly = 0', 'SET readonly = 0'),
  refusedSql('a SETTINGS clause turning a guard off', 'SELECT 1 SETTINGS allow_ddl = 1'),
  { name: 'readonly = 0 as a URL setting', path: '/?readonly=0', sql: 'SELECT 1', authenticated: true, ...DENIED },
  { name: 'allow_ddl = 1 as a URL setting', path: '/?allow_ddl=1', sql: 'SELECT 1', authenticated: true, ...DENIED },
  { name: 'user_files_path as a URL setting', path: '/?user_files_path=%2F', sql: 'SELECT 1', authenticated: true, ...DENIED },
  {
    name: 'allow_introspection_functions as a URL setting',
    path: '/?allow_introspection_functions=1',
    sql: 'SELECT 1',
    authenticated: true,
    ...DENIED,
  },
  { name: 'additional_table_filters replaced', path: '/?additional_table_filters=%7B%7D', sql: 'SELECT 1', authenticated: true, ...DENIED },
  { name: 'two statements: SELECT then DROP', sql: 'SELECT 1; DROP TABLE otel.llm_traces', authenticated: true, ...ONE_STATEMENT },
  {
    name: 'two statements with a comment between',
    sql: 'SELECT 1 /* ; */; TRUNCATE TABLE otel.llm_traces',
    authenticated: true,
    ...ONE_STATEMENT,
  },
  {
    name: 'INSERT VALUES data followed by a second statement',
    sql: "INSERT INTO otel.llm_traces (trace_id) VALUES ('x'); DROP TABLE otel.llm_traces",
    authenticated: true,
    ...ONE_STATEMENT,
  },
  {
    name: 'a DROP in the body after a harmless query parameter',
    path: `/?query=${encodeURIComponent('SELECT 1;')}`,
    body: 'DROP TABLE otel.llm_traces',
    authenticated: true,
    ...ONE_STATEMENT,
  },
  {
    name: 'a write sent as GET',
    method: 'GET',
    path: `/?query=${encodeURIComponent("INSERT INTO otel.llm_traces (trace_id) VALUES ('1')")}`,
    authenticated: true,
    status: 500,
    code: 164,
  },
];

/** What a web page of another origin, or a name rebound to this machine, sends. */
const BROWSERS: HostileRequest[] = [
  {
    name: 'cross-site simple POST (no-cors, text/plain)',
    sql: "SELECT 1 INTO OUTFILE '{{OUT}}/b1.txt'",
    headers: { Origin: 'http://evil.example', 'Content-Type': 'text/plain', 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors' },
    ...DENIED,
  },
  {
    name: 'cross-site form POST with the credentials in the URL',
    path: '/?user={{USER}}&password={{PASSWORD}}',
    body: 'query=SELECT%201',
    headers: { Origin: 'https://evil.example', 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'cross-site' },
    ...DENIED,
  },
  {
    name: 'Origin: null (a sandboxed frame or a file page)',
    sql: 'SELECT 1',
    headers: { Origin: 'null' },
    authenticated: true,
    ...DENIED,
  },
  {
    name: 'cross-site GET of a query (an image tag), no Origin',
    method: 'GET',
    path: `/?query=${encodeURIComponent('SELECT count() FROM otel.llm_traces')}`,
    headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'image' },
    ...DENIED,
  },
  {
    name: 'same-site but other-origin GET (another port of localhost)',
    method: 'GET',
    path: '/api/v1/calls',
    headers: { 'Sec-Fetch-Site': 'same-site', 'Sec-Fetch-Mode': 'cors' },
    ...DENIED,
  },
  {
    name: 'the viewer API from another origin',
    method: 'GET',
    path: '/api/v1/calls',
    headers: { Origin: 'http://127.0.0.1:1', 'Sec-Fetch-Site': 'same-site' },
    ...DENIED,
  },
  {
    name: 'a CORS preflight',
    method: 'OPTIONS',
    path: '/',
    headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    ...DENIED,
  },
  {
    name: 'DNS rebinding: Host is the page’s name',
    sql: 'SELECT 1',
    headers: { Host: 'evil.example:{{PORT}}' },
    authenticated: true,
    ...DENIED,
  },
  { name: 'DNS rebinding: Host with another port', sql: 'SELECT 1', headers: { Host: '127.0.0.1:1' }, authenticated: true, ...DENIED },
  { name: 'DNS rebinding on the viewer API', method: 'GET', path: '/api/v1/session', headers: { Host: 'attacker.test' }, ...DENIED },
];

export const HOSTILE_REQUESTS: readonly HostileRequest[] = [...TABLE_FUNCTIONS, ...SYSTEM_READS, ...WRITES, ...BROWSERS];

/** Refused only when the server requires credentials. */
export const UNAUTHENTICATED_REQUESTS: readonly HostileRequest[] = [
  { name: 'no credentials', sql: 'SELECT 1', status: 403, code: 516 },
  {
    name: 'a wrong password',
    sql: 'SELECT 1',
    headers: { 'X-ClickHouse-User': '{{USER}}', 'X-ClickHouse-Key': 'guess' },
    status: 403,
    code: 516,
  },
  {
    name: 'an unknown user',
    sql: 'SELECT 1',
    headers: { 'X-ClickHouse-User': 'root', 'X-ClickHouse-Key': '{{PASSWORD}}' },
    status: 403,
    code: 516,
  },
  { name: 'the JSON API without credentials', method: 'GET', path: '/api/llm-traces', status: 403, code: 516 },
  { name: 'the viewer API without credentials', method: 'GET', path: '/api/v1/calls', status: 403, code: 516 },
  {
    name: 'a forged session cookie',
    method: 'GET',
    path: '/api/v1/calls',
    headers: { Cookie: 'llm_traces_session_{{PORT}}=guess' },
    status: 403,
    code: 516,
  },
  // A page load: the browser is asked for credentials (401), and told to open the printed address.
  { name: 'a wrong login token', method: 'GET', path: '/?token=guess', status: 401, code: 516 },
];
