/**
 * Delivery of serialized batches to ClickHouse: a few inserts in flight, retryable failures retried
 * with backoff inside a time budget while batches wait in a buffer bounded in bytes and rows
 * (every batch not yet stored counts, in flight or waiting; the oldest waiting are dropped first,
 * and counted), permanent failures reported once with the fix, and refused data split until the
 * rows at fault are isolated, so one bad row never costs its batch.
 */
import { diag } from '@opentelemetry/api';
import type { DeliveryLimits } from '../config/config.js';
import type { FailureReporter } from './failure-reporter.js';
import { backoffDelay, classifyFailure, DeliveryError } from './retry-policy.js';
import type { Counters, DropReason, TableKind } from './counters.js';

export interface Batch {
  table: string;
  kind: TableKind;
  /** The insert's columns, in the order of every row's values. */
  columns: readonly string[];
  /** JSONCompactEachRow bytes, one row per line. */
  body: Buffer;
  rows: number;
}

/** Inserts a batch; `signal` aborts it when the queue gives up at shutdown. */
export type Insert = (batch: Batch, signal: AbortSignal) => Promise<void>;

interface Item {
  batch: Batch;
  /** Arrival order: retried batches go back to their place, not behind newer ones. */
  seq: number;
  attempts: number;
  firstAttemptAt: number | undefined;
  settle: { resolve: () => void; reject: (error: Error) => void };
  /** Dropped to make room while its insert was in flight: whatever that insert does is ignored. */
  evicted?: boolean;
}

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export class DeliveryQueue {
  private readonly waiting: Item[] = [];
  private readonly inFlight = new Map<Item, AbortController>();
  private nextSeq = 0;
  private pausedUntil = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private outage = false;
  private closing = false;

  constructor(
    private readonly insert: Insert,
    private readonly limits: DeliveryLimits,
    private readonly counters: Counters,
    private readonly reporter: FailureReporter,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when the batch is stored; rejects with a DeliveryError when it is given up on. */
  deliver(batch: Batch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.closing) {
        reject(new DeliveryError('shutdown', 'llm-traces: the exporter is shutting down'));
        this.counters.dropped('shutdown', batch.rows);
        return;
      }
      this.makeRoom({ bytes: batch.body.length, rows: batch.rows });
      this.buffer(batch, +1);
      this.place({ batch, seq: this.nextSeq++, attempts: 0, firstAttemptAt: undefined, settle: { resolve, reject } });
      this.pump();
    });
  }

  /** Resolves when nothing waits or is in flight. */
  idle(): Promise<void> {
    if (this.waiting.length === 0 && this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Shutdown: gives up on every batch still waiting, aborts the inserts in flight, and from now on
   * drops instead of retrying. All of it is counted as `shutdown`.
   */
  close(message: string): void {
    this.closing = true;
    clearTimeout(this.wakeTimer);
    for (const item of this.waiting.splice(0)) this.drop(item, 'shutdown', message);
    for (const controller of this.inFlight.values()) controller.abort();
    this.notifyIdle();
  }

  /**
   * The process is exiting and nothing can be awaited any more: counts every batch not yet stored
   * (the inserts in flight too, whatever they still do) as dropped `shutdown`, now. Returns the rows.
   */
  abandon(message: string): number {
    const rows = this.counters.stats.bufferedRows;
    this.close(message);
    for (const [item, controller] of this.inFlight) {
      item.evicted = true;
      controller.abort();
      this.drop(item, 'shutdown', message);
    }
    this.inFlight.clear();
    this.notifyIdle();
    return rows;
  }

  /**
   * While ClickHouse fails, drops the oldest batches not yet stored until `incoming` more fit:
   * waiting ones first, then inserts in flight (aborted: they are the ones failing). While it
   * works, a burst (a flush of a full span queue) waits its turn instead: nothing is dropped.
   */
  private makeRoom(incoming: { bytes: number; rows: number }): void {
    if (!this.outage) return;
    const s = this.counters.stats;
    const full = () =>
      s.bufferedBytes + incoming.bytes > this.limits.maxBufferBytes || s.bufferedRows + incoming.rows > this.limits.maxBufferRows;
    const message = `llm-traces: retry buffer full (${this.limits.maxBufferRows} rows / ${this.limits.maxBufferBytes} bytes); the oldest batch was dropped`;
    while (full() && (this.waiting.length > 0 || this.inFlight.size > 0)) {
      const oldestInFlight = [...this.inFlight.keys()].reduce<Item | undefined>(
        (oldest, item) => (oldest && oldest.seq < item.seq ? oldest : item),
        undefined,
      );
      const oldestWaiting = this.waiting[0];
      if (oldestWaiting && (!oldestInFlight || oldestWaiting.seq < oldestInFlight.seq)) {
        this.waiting.shift();
        this.drop(oldestWaiting, 'buffer_full', message);
      } else {
        oldestInFlight!.evicted = true;
        this.inFlight.get(oldestInFlight!)!.abort();
        this.inFlight.delete(oldestInFlight!);
        this.drop(oldestInFlight!, 'buffer_full', message);
      }
    }
  }

  /** Counts a batch into (+1) or out of (-1) the rows and bytes not yet stored. */
  private buffer(batch: Batch, sign: 1 | -1): void {
    const s = this.counters.stats;
    s.bufferedBytes += sign * batch.body.length;
    s.bufferedRows += sign * batch.rows;
  }

  /** Puts an item among the waiting ones in arrival order. */
  private place(item: Item): void {
    let i = this.waiting.length;
    while (i > 0 && this.waiting[i - 1]!.seq > item.seq) i--;
    this.waiting.splice(i, 0, item);
  }

  private pump(): void {
    if (this.closing) return;
    if (this.now() < this.pausedUntil) {
      this.wakeAt(this.pausedUntil);
      return;
    }
    while (this.inFlight.size < this.limits.maxInFlight && this.waiting.length > 0) {
      const item = this.waiting.shift()!;
      const controller = new AbortController();
      this.inFlight.set(item, controller);
      void this.attempt(item, controller).finally(() => {
        this.pump();
        this.notifyIdle();
      });
    }
  }

  private wakeAt(time: number): void {
    clearTimeout(this.wakeTimer);
    // Unref'd: a store that is down must not keep the app alive; shutdown flushes what it can.
    this.wakeTimer = setTimeout(() => this.pump(), Math.max(0, time - this.now()));
    this.wakeTimer.unref();
  }

  private notifyIdle(): void {
    if (this.waiting.length > 0 || this.inFlight.size > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async attempt(item: Item, controller: AbortController): Promise<void> {
    item.firstAttemptAt ??= this.now();
    let failure: { error: unknown } | undefined;
    try {
      await this.insert(item.batch, controller.signal);
    } catch (error) {
      failure = { error };
    }
    // An evicted item was dropped and counted already; whatever its insert did is ignored.
    if (item.evicted) return;
    this.inFlight.delete(item);
    if (failure) {
      this.failed(item, failure.error);
      return;
    }
    if (this.outage) {
      this.outage = false;
      log.info('ClickHouse accepts inserts again');
    }
    this.reporter.recovered();
    this.buffer(item.batch, -1);
    this.counters.exported(item.batch.kind, item.batch.rows);
    item.settle.resolve();
  }

  private failed(item: Item, error: unknown): void {
    const message = (error instanceof Error ? error.message : String(error)).trim().replace(/\.+$/, '');
    if (this.closing) {
      this.drop(item, 'shutdown', `llm-traces: the exporter shut down before this batch could be stored (${message})`, error);
      return;
    }
    const failure = classifyFailure(error);
    if (failure.retryable) {
      item.attempts++;
      if (this.now() - item.firstAttemptAt! >= this.limits.retryBudgetMs) {
        this.drop(
          item,
          'expired',
          `llm-traces: ClickHouse kept failing for ${this.limits.retryBudgetMs} ms (${failure.reason}): ${message}`,
          error,
        );
        return;
      }
      this.counters.stats.retries++;
      this.pausedUntil = this.now() + backoffDelay(item.attempts);
      this.place(item);
      if (!this.outage) {
        this.outage = true;
        this.reporter.transient(
          `insert into ${item.batch.table} failed (${failure.reason}: ${message}); retrying with backoff, batches wait in the buffer`,
        );
        // What a burst queued up while ClickHouse worked must now fit the bound too.
        this.makeRoom({ bytes: 0, rows: 0 });
      }
      return;
    }
    if (failure.dataError && item.batch.rows > 1) {
      // Retry each half: the rows ClickHouse refuses end up alone and are dropped alone.
      let pending = 2;
      // A half that fails has counted its own rows; the parent reports success for the rest.
      const settleHalf = () => {
        if (--pending === 0) item.settle.resolve();
      };
      for (const half of splitBatch(item.batch)) {
        this.place({
          batch: half,
          seq: item.seq,
          attempts: item.attempts,
          firstAttemptAt: item.firstAttemptAt,
          settle: { resolve: settleHalf, reject: settleHalf },
        });
      }
      return;
    }
    const reason: DropReason = failure.dataError ? 'invalid_row' : 'permanent_failure';
    this.reporter.permanent(failure, `ClickHouse refused the insert into ${item.batch.table} (${failure.reason}): ${message}`);
    this.drop(item, reason, `llm-traces: ClickHouse refused the insert into ${item.batch.table} (${failure.reason}): ${message}`, error);
  }

  private drop(item: Item, reason: DropReason, message: string, cause?: unknown): void {
    this.buffer(item.batch, -1);
    this.counters.dropped(reason, item.batch.rows);
    item.settle.reject(new DeliveryError(reason, message, cause === undefined ? undefined : { cause }));
  }
}

const NEWLINE = 0x0a;

/** Splits a batch into two halves on a row boundary (rows are lines). */
export function splitBatch(batch: Batch): [Batch, Batch] {
  const first = Math.ceil(batch.rows / 2);
  let cut = -1;
  for (let row = 0; row < first; row++) cut = batch.body.indexOf(NEWLINE, cut + 1);
  cut++;
  return [
    { ...batch, body: batch.body.subarray(0, cut), rows: first },
    { ...batch, body: batch.body.subarray(cut), rows: batch.rows - first },
  ];
}
