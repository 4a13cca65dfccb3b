/**
 * `llm-traces serve`: one process owns the embedded store and serves it over ClickHouse's HTTP
 * interface (so apps export with OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=http://127.0.0.1:8123) plus the
 * JSON API. A development server: production uses a real ClickHouse server with the same settings.
 */
import type { Command, Values } from './command.js';
import { createClient } from '@clickhouse/client';
import { getStringFromEnv } from '@opentelemetry/core';
import { LlmTraceReader, OtelTraceReader } from '../reader/index.js';
import { handleApiRequest, type ApiTables } from '../server/json-api.js';
import { startClickHouseHttpServer } from '../server/index.js';
import { resolveConfig } from '../config/config.js';
import { ensureSchema } from '../schema/migrate.js';

export const serveCommand: Command = {
  summary: "serve the embedded store over ClickHouse's HTTP interface, plus a JSON API",
  usage: `llm-traces serve [--path DIR] [--host 127.0.0.1] [--port 8123] [--user NAME --password SECRET]
                         [--database otel] [--max-body-bytes N] [--max-concurrent-queries N]`,
  options: {
    path: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    user: { type: 'string' },
    password: { type: 'string' },
    database: { type: 'string' },
    'max-body-bytes': { type: 'string' },
    'max-concurrent-queries': { type: 'string' },
  },
  help: `Serves the embedded store over ClickHouse's HTTP interface and a JSON API under /api/.
  --path DIR      store directory (OTEL_EXPORTER_CLICKHOUSE_PATH, default .llm-traces)
  --host, --port  listen address (default 127.0.0.1:8123); a non-loopback host needs --password
  --user, --password  credentials required on every request (OTEL_EXPORTER_CLICKHOUSE_USERNAME / _PASSWORD)
  --database      database of the tables the JSON API reads (OTEL_EXPORTER_CLICKHOUSE_DATABASE, default otel)

Point apps at it with OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=http://127.0.0.1:8123. This is a development
server over embedded ClickHouse; in production point the same variable at a ClickHouse server.`,
  run: serve,
};

async function serve(values: Values): Promise<number> {
  try {
    const config = resolveConfig({
      path: values.path as string | undefined,
      database: values.database as string | undefined,
      endpoint: '',
    });
    const tables: ApiTables = { database: config.database, tracesTable: config.tracesTable ?? 'otel_traces', llmTable: config.llmTable };
    const path = config.connection.kind === 'embedded' ? config.connection.path : '.llm-traces';
    const server = await startClickHouseHttpServer({
      path,
      host: values.host as string | undefined,
      port: optionalInteger('--port', values.port),
      user: (values.user as string | undefined) ?? getStringFromEnv('OTEL_EXPORTER_CLICKHOUSE_USERNAME'),
      password: (values.password as string | undefined) ?? getStringFromEnv('OTEL_EXPORTER_CLICKHOUSE_PASSWORD'),
      maxBodyBytes: optionalInteger('--max-body-bytes', values['max-body-bytes']),
      maxConcurrentQueries: optionalInteger('--max-concurrent-queries', values['max-concurrent-queries']),
      api: (connection) => {
        const apiClient = createClient({ connection: connection as never, application: 'llm-traces-serve' });
        const readersFor = (organizationId: string) => ({
          llm: new LlmTraceReader({ client: apiClient, organizationId, database: tables.database, table: tables.llmTable }),
          otel: new OtelTraceReader({
            client: apiClient,
            organizationId,
            database: tables.database,
            table: tables.tracesTable,
            llmTable: tables.llmTable,
          }),
        });
        return (method, url, headers) => handleApiRequest(readersFor, method, url, headers);
      },
    });
    const client = createClient({ connection: server.connection as never, application: 'llm-traces-serve' });
    await ensureSchema(client, config);
    console.log(`llm-traces serve: store ${path} on ${server.url} (JSON API under ${server.url}/api/)`);
    console.log(`  export from any process with OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=${server.url}`);
    console.log('  a development server over embedded ClickHouse; use a ClickHouse server in production');
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        console.log(`llm-traces serve: ${signal}, finishing in-flight requests and closing the store`);
        server.close().then(resolve, (error: unknown) => {
          console.error(`llm-traces serve: close failed: ${(error as Error).message}`);
          resolve();
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  } catch (error) {
    const message = (error as Error).message;
    console.error(message.startsWith('llm-traces') ? message : `llm-traces serve: ${message}`);
    return 1;
  }
}

function optionalInteger(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} '${String(value)}' must be a whole number`);
  return n;
}
