/**
 * Owns the connection to ClickHouse: opens it, creates or upgrades the schema once, serializes
 * each export's rows once (in slices that yield to the event loop) and hands them to the delivery
 * queue, which retries, buffers and counts. Every ClickHouse call runs with tracing suppressed, so
 * an instrumented HTTP stack does not trace the exporter's own inserts back into the exporter.
 */
import { context, diag } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import type { ResolvedConfig } from '../config/config.js';
import { openClient, type OpenedClient } from '../store/connection.js';
import type { Counters } from './counters.js';
import { FailureReporter } from './failure-reporter.js';
import { classifyFailure } from './retry-policy.js';
import { OrderedHandOver } from './ordered-hand-over.js';
import { acceptWithinMs } from './batching.js';
import { DeliveryQueue, splitBySize, type Batch, type Delivery } from './queue.js';
import { INSERT_COLUMNS, serializeRows } from './serialize.js';
import { ensureSchema } from '../schema/migrate.js';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

const SHUT_DOWN = 'llm-traces: the exporter shut down before this batch could be stored';

function messageOf(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).trim().replace(/\.+$/, '');
}

/** Waits for `work`, but not past `deadline` (epoch ms). */
export async function untilDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    timer.unref();
  });
  await Promise.race([work, timedOut]);
  clearTimeout(timer);
}

export function untraced<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), fn);
}

/** Rows for each table, as the rows modules build them (column names as in ddl/). */
export interface TableRows {
  otel: readonly object[];
  llm: readonly object[];
}

/** How long inserts aborted at shutdown get to settle before their rows are counted as dropped anyway. */
const ABORT_GRACE_MS = 1_000;

/**
 * The largest insert body. An export of 4096 spans whose LLM calls carry 1 MiB payloads serializes
 * to far more than serve's 256 MiB request limit, and chDB's parser holds a few times the body
 * while it inserts. 16 MiB keeps each insert a large part (ClickHouse wants few, big inserts: at
 * 70 MB/s that is about 5 a second) while four in flight stay within the default 64 MiB buffer.
 */
export const MAX_INSERT_BYTES = 16 * 1024 * 1024;

export class ClickHouseWriter {
  private readonly queue: DeliveryQueue;
  private opening: Promise<OpenedClient> | undefined;
  private readonly handOver = new OrderedHandOver();

  readonly reporter = new FailureReporter(log);

  constructor(
    private readonly config: ResolvedConfig,
    readonly counters: Counters,
  ) {
    this.queue = new DeliveryQueue(
      (batch, signal) => this.insert(batch, signal),
      config.delivery,
      this.counters,
      this.reporter,
      acceptWithinMs(),
    );
  }

  /** Opens the client and applies the schema; a failure is retried by the next call. */
  ready(): Promise<OpenedClient> {
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
      opening.catch((error: unknown) => {
        if (this.opening === opening) this.opening = undefined;
        const failure = classifyFailure(error);
        if (failure.retryable)
          this.reporter.transient(`ClickHouse is not ready yet (${failure.reason}); inserts are retried: ${messageOf(error)}`);
        else this.reporter.permanent(failure, `ClickHouse refused the exporter (${failure.reason}): ${messageOf(error)}`);
      });
    }
    return this.opening;
  }

  /**
   * Serializes the rows and hands them to the delivery buffer: `accepted` once the buffer holds
   * them (it rejects only when serializing failed), `stored` once every row is stored (or, for
   * rows ClickHouse refused, dropped and counted); it rejects when some were given up on.
   */
  write(rows: TableRows): Delivery {
    // Serializing comes before the queue sees the rows: close() waits for this hand-over. Writes
    // serialize side by side but reach the queue in the order they were made, so the queue's
    // arrival order (a full buffer drops the oldest) is the order rows were handed over.
    const delivered = this.handOver.run(async (previous) => {
      const batches: Batch[] = [];
      if (this.config.tracesTable && rows.otel.length > 0)
        batches.push(...(await this.batches(this.config.tracesTable, 'spans', rows.otel)));
      if (rows.llm.length > 0) batches.push(...(await this.batches(this.config.llmTable, 'llm_calls', rows.llm)));
      await previous;
      return batches.map((batch) => this.queue.deliver(batch));
    });
    return {
      accepted: delivered.then((deliveries) => Promise.all(deliveries.map((d) => d.accepted))).then(() => {}),
      stored: delivered.then((deliveries) => Promise.all(deliveries.map((d) => d.stored))).then(() => {}),
    };
  }

  private async batches(table: string, kind: Batch['kind'], rows: readonly object[]): Promise<Batch[]> {
    const columns = INSERT_COLUMNS[kind];
    return splitBySize({ table, kind, columns, ...(await serializeRows(rows, columns)) }, MAX_INSERT_BYTES);
  }

  private async insert(batch: Batch, signal: AbortSignal): Promise<void> {
    const opened = await this.ready();
    await untraced(() =>
      opened.insertRows({ database: this.config.database, table: batch.table, columns: batch.columns }, batch.body, signal),
    );
  }

  /** The process is exiting: counts every row not yet stored as dropped `shutdown` at once, and returns how many. */
  abandon(): number {
    return this.queue.abandon('llm-traces: the process exited before this batch could be stored');
  }

  /** Waits until nothing waits for room, is buffered or is in flight. */
  flush(): Promise<void> {
    return this.queue.idle();
  }

  /**
   * Flushes until `deadline` (epoch ms), then gives up on what is not stored (aborting inserts in
   * flight; counted as dropped `shutdown`) and closes the connection.
   */
  async close(deadline: number): Promise<void> {
    await untilDeadline(this.handOver.settled(), deadline);
    await untilDeadline(this.queue.idle(), deadline);
    this.queue.close(SHUT_DOWN);
    // An aborted insert normally settles at once; one that does not is not waited for forever.
    await untilDeadline(this.queue.idle(), Date.now() + ABORT_GRACE_MS);
    this.queue.abandon(SHUT_DOWN);
    const opening = this.opening;
    this.opening = undefined;
    const opened = await opening?.catch(() => undefined);
    await opened?.close();
  }
}
