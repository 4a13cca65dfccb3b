/**
 * `llm-traces serve`: one process owns the embedded store and serves it over ClickHouse's HTTP
 * interface (so apps export with OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=http://127.0.0.1:8123), the
 * JSON API and the web viewer. `llm-traces ui` is the same server, announced as the viewer's
 * address (and opened in a browser with --open). A development server: production uses a real
 * ClickHouse server with the same settings.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command, Values } from './command.js';
import { createClient } from '@clickhouse/client';
import { getStringFromEnv } from '@opentelemetry/core';
import { createPricer } from '../pricing/pricer.js';
import { handleApiRequest, type ApiTables } from '../server/json-api.js';
import { startClickHouseHttpServer } from '../server/index.js';
import { readUsersFile } from '../server/users-file.js';
import { createViewer, readersOver } from '../server/viewer.js';
import { resolveConfig } from '../config/config.js';
import { ensureSchema } from '../schema/migrate.js';
import { removeServeAddress, writeServeAddress } from '../store/serve-address.js';

const SERVER_OPTIONS = {
  path: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  'users-file': { type: 'string' },
  database: { type: 'string' },
  'allow-writes': { type: 'boolean' },
  'allow-host': { type: 'string', multiple: true },
  'allow-origin': { type: 'string', multiple: true },
  'max-body-bytes': { type: 'string' },
  'max-concurrent-queries': { type: 'string' },
  'max-query-seconds': { type: 'string' },
  'max-query-memory-bytes': { type: 'string' },
} as const satisfies Command['options'];

const SERVER_USAGE = `[--path DIR] [--host 127.0.0.1] [--port 8123] [--user NAME --password SECRET] [--users-file FILE]
                         [--database otel] [--allow-writes] [--allow-host NAME] [--allow-origin URL]
                         [--max-body-bytes N] [--max-concurrent-queries N] [--max-query-seconds N] [--max-query-memory-bytes N]`;

const SERVER_HELP = `  --path DIR      store directory (OTEL_EXPORTER_CLICKHOUSE_PATH, default .llm-traces)
  --host, --port  listen address (default 127.0.0.1:8123); a non-loopback host needs a password
  --user, --password  credentials required on every request (OTEL_EXPORTER_CLICKHOUSE_USERNAME / _PASSWORD)
  --users-file FILE   more credentials, each optionally bound to organizations (JSON; see the README)
  --database      database of the tables the JSON API and the viewer read (OTEL_EXPORTER_CLICKHOUSE_DATABASE, default otel)
  --allow-writes  also run DROP, TRUNCATE, DELETE and ALTER ... DELETE/UPDATE on the store's tables
  --allow-host, --allow-origin  another name this server answers to, another origin whose pages may call it
  --max-query-seconds, --max-query-memory-bytes  each statement's limits (default 60 s, 2 GiB)

Point apps at it with OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=<the URL it prints>; exporters and the CLI
configured for the same store (--path, OTEL_EXPORTER_CLICKHOUSE_PATH) find it by themselves. This is
a development server over embedded ClickHouse; in production point the same variable at a ClickHouse
server.`;

export const serveCommand: Command = {
  summary: "serve the embedded store over ClickHouse's HTTP interface, a JSON API and the web viewer",
  usage: `llm-traces serve ${SERVER_USAGE}`,
  options: SERVER_OPTIONS,
  help: `Serves the embedded store over ClickHouse's HTTP interface, a JSON API under /api/ and the web
viewer at /.
${SERVER_HELP}`,
  run: (values) => serve('serve', values),
};

export const uiCommand: Command = {
  summary: "start the server and print (or --open) the web viewer's address",
  usage: `llm-traces ui ${SERVER_USAGE} [--open]`,
  options: { ...SERVER_OPTIONS, open: { type: 'boolean' } },
  help: `Starts the same server as \`llm-traces serve\` (same options) and prints the web viewer's address.
  --open          also open the viewer in the default browser
${SERVER_HELP}`,
  run: (values) => serve('ui', values),
};

async function serve(command: 'serve' | 'ui', values: Values): Promise<number> {
  try {
    const config = resolveConfig({
      path: values.path as string | undefined,
      database: values.database as string | undefined,
      endpoint: '',
    });
    const tables: ApiTables = { database: config.database, tracesTable: config.tracesTable ?? 'otel_traces', llmTable: config.llmTable };
    const path = config.connection.kind === 'embedded' ? config.connection.path : '.llm-traces';
    // Prices at read time for the viewer: the same table (and prices file) the exporter uses.
    const pricer = createPricer(config.pricing);
    const password = (values.password as string | undefined) ?? getStringFromEnv('OTEL_EXPORTER_CLICKHOUSE_PASSWORD');
    const users = typeof values['users-file'] === 'string' ? readUsersFile(values['users-file']) : undefined;
    const server = await startClickHouseHttpServer({
      path,
      host: values.host as string | undefined,
      port: optionalInteger('--port', values.port),
      user: (values.user as string | undefined) ?? getStringFromEnv('OTEL_EXPORTER_CLICKHOUSE_USERNAME'),
      password,
      users,
      allowWrites: values['allow-writes'] === true,
      allowedHosts: values['allow-host'] as string[] | undefined,
      allowedOrigins: values['allow-origin'] as string[] | undefined,
      tenantTables: { database: tables.database, llmTable: tables.llmTable, tracesTable: config.tracesTable },
      maxBodyBytes: optionalInteger('--max-body-bytes', values['max-body-bytes']),
      maxConcurrentQueries: optionalInteger('--max-concurrent-queries', values['max-concurrent-queries']),
      maxQuerySeconds: optionalInteger('--max-query-seconds', values['max-query-seconds']),
      maxQueryMemoryBytes: optionalInteger('--max-query-memory-bytes', values['max-query-memory-bytes']),
      api: (connection) => {
        const readersFor = readersOver(createClient({ connection: connection as never, application: 'llm-traces-serve' }), tables);
        return (method, url, headers) => handleApiRequest(readersFor, method, url, headers);
      },
      viewer: (connection) =>
        createViewer(connection, { tables, pricer, auth: (password ?? '') !== '' || (users?.length ?? 0) > 0, version: packageVersion() }),
    });
    const client = createClient({ connection: server.connection as never, application: 'llm-traces-serve' });
    await ensureSchema(client, config);
    // Exporters and CLIs configured for this embedded store find the server here (and use it).
    const storePath = resolve(path);
    writeServeAddress(storePath, server.url);
    console.log(`llm-traces ${command}: store ${path} on ${server.url} (JSON API under ${server.url}/api/)`);
    console.log(`  the viewer: ${server.browserUrl}`);
    console.log(`  export from any process with OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=${server.url}`);
    console.log(
      server.passwordRequired
        ? '  authentication is ON: every request needs credentials; a browser signs in by opening the viewer address above once'
        : '  authentication is OFF: any process on this machine can read and write the store (web pages cannot); set --password to require credentials',
    );
    if (values['allow-writes'] === true) console.log("  --allow-writes: clients may DROP, TRUNCATE and DELETE the store's tables");
    console.log(`  exporters and the CLI configured for the store ${storePath} find this server by themselves`);
    console.log('  a development server over embedded ClickHouse; use a ClickHouse server in production');
    const opened = values.open === true ? openInBrowser(server.browserUrl) : undefined;
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        console.log(`llm-traces ${command}: ${signal}, finishing in-flight requests and closing the store`);
        if (opened !== undefined) rmSync(opened, { recursive: true, force: true });
        removeServeAddress(storePath);
        server.close().then(resolve, (error: unknown) => {
          console.error(`llm-traces ${command}: close failed: ${(error as Error).message}`);
          resolve();
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  } catch (error) {
    const message = (error as Error).message;
    console.error(message.startsWith('llm-traces') ? message : `llm-traces ${command}: ${message}`);
    return 1;
  }
}

function optionalInteger(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} '${String(value)}' must be a whole number`);
  return n;
}

/** src/cli and dist/cli both sit two levels below the package root. */
function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * The platform's opener, detached: the server does not wait for (or on) the browser. A sign-in
 * address with its token would sit in the opener's and the browser's command line, which every
 * local user can read, so the browser is given a file only this user can read that redirects to it
 * (as Jupyter does). Returns the file's directory, removed when the server stops.
 */
function openInBrowser(url: string): string | undefined {
  let target = url;
  let dir: string | undefined;
  if (url.includes('?token=')) {
    dir = mkdtempSync(join(tmpdir(), 'llm-traces-open-'));
    const file = join(dir, 'open.html');
    const escaped = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    writeFileSync(
      file,
      `<!doctype html><meta http-equiv="refresh" content="0;url=${escaped}"><a href="${escaped}">Open the llm-traces viewer</a>\n`,
      { mode: 0o600 },
    );
    target = pathToFileURL(file).href;
  }
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [target]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', target]]
        : ['xdg-open', [target]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.once('error', (error) =>
    console.error(`llm-traces ui: could not open a browser (${error.message}); open the viewer address above yourself`),
  );
  child.unref();
  return dir;
}
