/**
 * Opens the store the CLI reads, the way the exporter finds it (endpoint env or embedded path),
 * and turns the ways that can fail into messages a person can act on.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveConfig, type ClickHouseTraceExporterOptions, type ResolvedConfig } from '../config/config.js';
import { EmbeddedStoreError } from '../store/chdb.js';
import { ClickHouseErrorCode, errorCodeOf } from '../store/clickhouse-errors.js';
import { effectiveConnection, openClient, type OpenedClient } from '../store/connection.js';
import { ensureSchema } from '../schema/migrate.js';

export class CliError extends Error {
  override readonly name = 'CliError';
}

/** A flag's value is wrong: main exits with 2, as for a flag it cannot parse. */
export class CliArgumentError extends CliError {}

export async function connect(options: ClickHouseTraceExporterOptions): Promise<{ config: ResolvedConfig; opened: OpenedClient }> {
  const configured = resolveConfig(options);
  if (configured.connection.kind === 'embedded' && !existsSync(resolve(configured.connection.path, 'metadata'))) {
    throw new CliError(
      `No llm-traces store at ${resolve(configured.connection.path)}. Run an app with the exporter first (it creates the store), ` +
        'or point --path (OTEL_EXPORTER_CLICKHOUSE_PATH) at an existing store, or --endpoint (OTEL_EXPORTER_CLICKHOUSE_ENDPOINT) at a server.',
    );
  }
  // A store held by `llm-traces serve` is read through it; messages then name the server.
  const connection = effectiveConnection(configured.connection, (notice) => console.error(`llm-traces: ${notice}`));
  const config = { ...configured, connection };
  let opened: OpenedClient | undefined;
  try {
    opened = await openClient(connection, 'llm-traces-cli');
    // A local store may predate this version: bring it up to date, as the exporter would.
    if (connection.kind === 'embedded') await ensureSchema(opened.client, config);
    return { config, opened };
  } catch (error) {
    await opened?.close().catch(() => {});
    throw explain(error, config);
  }
}

/** A storage error as a CLI message; anything unrecognized keeps its own message. */
export function explain(error: unknown, config: ResolvedConfig): Error {
  const e = error as { code?: string | number; type?: string; message?: string; cause?: { code?: string } };
  const message = String(e?.message ?? error);
  const connection = config.connection;
  const where =
    connection.kind === 'server'
      ? `${connection.url}${connection.pathname}`
      : connection.kind === 'embedded'
        ? resolve(connection.path)
        : 'the ClickHouse client';
  if (error instanceof EmbeddedStoreError) return new CliError(message.replace(/^llm-traces: /, ''));
  if (/Cannot lock file|already running|could not open the embedded ClickHouse store/i.test(message)) {
    return new CliError(
      `The store at ${where} could not be opened: it is most likely open in another process (an app exporting to it?). Only one process can open an embedded store: ` +
        `run \`llm-traces serve --path ${where}\`; the exporter and this CLI configured for the store then find the server and use it.`,
    );
  }
  const code = errorCodeOf(error);
  if (
    e?.type === 'AUTHENTICATION_FAILED' ||
    e?.type === 'REQUIRED_PASSWORD' ||
    code === ClickHouseErrorCode.AUTHENTICATION_FAILED ||
    code === ClickHouseErrorCode.REQUIRED_PASSWORD
  ) {
    const user = connection.kind === 'server' ? connection.username : 'default';
    return new CliError(
      `${where} refused the credentials of user '${user}'. Pass --user and --password, or set OTEL_EXPORTER_CLICKHOUSE_USERNAME and OTEL_EXPORTER_CLICKHOUSE_PASSWORD.`,
    );
  }
  if (e?.code === 'ECONNREFUSED' || e?.cause?.code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) {
    return new CliError(`Nothing answers at ${where}. Is \`llm-traces serve\` or the ClickHouse server running there?`);
  }
  if (e?.type === 'UNKNOWN_IDENTIFIER' || e?.type === 'NO_SUCH_COLUMN_IN_TABLE') {
    return new CliError(
      `The tables at ${where} are older than this llm-traces: start an app with the exporter (schema creation on) once to add the new columns in place, or apply ddl/*.sql. (${message.trim().slice(0, 200)})`,
    );
  }
  if (e?.type === 'UNKNOWN_DATABASE' || e?.type === 'UNKNOWN_TABLE') {
    // The engine's text quotes the statement; the names are what the user can fix.
    return new CliArgumentError(
      `${where} has no llm-traces tables in database '${config.database}' (--database, OTEL_EXPORTER_CLICKHOUSE_DATABASE): nothing has been exported there, or the name is wrong.`,
    );
  }
  return error instanceof Error ? error : new Error(message);
}
