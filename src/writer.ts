/**
 * Owns the connection to ClickHouse: opens it, creates or upgrades the schema once, and inserts
 * each export's rows into their tables. Every call runs with tracing suppressed, so an
 * instrumented HTTP stack does not trace the exporter's own inserts back into the exporter.
 */
import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ClickHouseClient } from '@clickhouse/client';
import type { ResolvedConfig } from './config.js';
import { INSERT_SETTINGS, openClient, type OpenedClient } from './connection.js';
import { ensureSchema } from './schema/migrate.js';
import type { RowBatch } from './rows/batch.js';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export function untraced<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), fn);
}

export class ClickHouseWriter {
  private opening: Promise<OpenedClient> | undefined;

  constructor(private readonly config: ResolvedConfig) {}

  /** Opens the client and applies the schema; a failure is retried by the next call. */
  ready(): Promise<ClickHouseClient> {
    if (!this.opening) {
      const opening = untraced(async () => {
        const opened = await openClient(this.config.connection);
        if (this.config.createSchema) {
          try {
            await ensureSchema(opened.client, this.config);
          } catch (error) {
            await opened.close().catch(() => {});
            throw error;
          }
        }
        return opened;
      });
      this.opening = opening;
      opening.catch(() => {
        if (this.opening === opening) this.opening = undefined;
      });
    }
    return this.opening.then((opened) => opened.client);
  }

  async write(batch: RowBatch): Promise<void> {
    const client = await this.ready();
    const inserts: Promise<unknown>[] = [];
    if (this.config.tracesTable && batch.otel.length > 0) {
      inserts.push(this.insert(client, this.config.tracesTable, batch.otel));
    }
    if (batch.llm.length > 0) inserts.push(this.insert(client, this.config.llmTable, batch.llm));
    await Promise.all(inserts);
    log.debug(`inserted ${batch.otel.length} spans and ${batch.llm.length} LLM calls`);
  }

  private insert(client: ClickHouseClient, table: string, values: readonly object[]): Promise<unknown> {
    return untraced(() =>
      client.insert({
        table: `${this.config.database}.${table}`,
        values: values as object[],
        format: 'JSONEachRow',
        clickhouse_settings: INSERT_SETTINGS,
      }),
    );
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    if (!opening) return;
    const opened = await opening.catch(() => undefined);
    await opened?.close();
  }
}
