/**
 * `llm-traces serve`: one process owns the embedded store and serves it over ClickHouse's HTTP
 * interface (so apps export with OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=http://127.0.0.1:8123), the
 * JSON API and the web viewer. `llm-traces ui` is the same server, announced as the viewer's
 * address (and opened in a browser with --open). A development server: production uses a real
 * ClickHouse server with the same settings.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Command, Values } from './command.js';
import { createClient } from '@clickhouse/client';
import { getStringFromEnv } from '@opentelemetry/core';
import { createPricer } from '../pricing/pricer.js';
import { handleApiRequest, type ApiTables } from '../server/json-api.js';
import { startClickHouseHttpServer } from '../server/index.js';
import { createViewer, readersOver } from '../server/viewer.js';
import { resolveConfig } from '../config/config.js';
import { ensureSchema } from '../schema/migrate.js';

const SERVER_OPTIONS = {
  path: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  database: { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'max-concurrent-queries': { type: 'string' },
} as const satisfies Command['options'];

const SERVER_USAGE = `[--path DIR] [--host 127.0.0.1] [--port 8123] [--user NAME --password SECRET]
                         [--database otel] [--max-body-bytes N] [--max-concurrent-queries N]`;

const SERVER_HELP = `  --path DIR      store directory (OTEL_EXPORTER_CLICKHOUSE_PATH, default .llm-traces)
  --host, --port  listen address (default 127.0.0.1:8123); a non-loopback host needs --password
  --user, --password  credentials required on every request (OTEL_EXPORTER_CLICKHOUSE_USERNAME / _PASSWORD)
  --database      database of the tables the JSON API and the viewer read (OTEL_EXPORTER_CLICKHOUSE_DATABASE, default otel)

Point apps at it with OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=http://127.0.0.1:8123. This is a development
server over embedded ClickHouse; in production point the same variable at a ClickHouse server.`;

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
    const server = await startClickHouseHttpServer({
      path,
      host: values.host as string | undefined,
      port: optionalInteger('--port', values.port),
      user: (values.user as string | undefined) ?? getStringFromEnv('OTEL_EXPORTER_CLICKHOUSE_USERNAME'),
      password,
      maxBodyBytes: optionalInteger('--max-body-bytes', values['max-body-bytes']),
      maxConcurrentQueries: optionalInteger('--max-concurrent-queries', values['max-concurrent-queries']),
      api: (connection) => {
        const readersFor = readersOver(createClient({ connection: connection as never, application: 'llm-traces-serve' }), tables);
        return (method, url, headers) => handleApiRequest(readersFor, method, url, headers);
      },
      viewer: (connection) => createViewer(connection, { tables, pricer, auth: (password ?? '') !== '', version: packageVersion() }),
    });
    const client = createClient({ connection: server.connection as never, application: 'llm-traces-serve' });
    await ensureSchema(client, config);
    console.log(`llm-traces ${command}: store ${path} on ${server.url} (JSON API under ${server.url}/api/)`);
    if (command === 'ui') console.log(`llm-traces ui: the viewer is at ${server.url}/`);
    else console.log(`  the viewer: ${server.url}/`);
    console.log(`  export from any process with OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=${server.url}`);
    console.log('  a development server over embedded ClickHouse; use a ClickHouse server in production');
    if (values.open === true) openInBrowser(`${server.url}/`);
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        console.log(`llm-traces ${command}: ${signal}, finishing in-flight requests and closing the store`);
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

/** The platform's opener, detached: the server does not wait for (or on) the browser. */
function openInBrowser(url: string): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.once('error', (error) => console.error(`llm-traces ui: could not open a browser (${error.message}); open ${url} yourself`));
  child.unref();
}
