/**
 * Delivery of serialized batches to ClickHouse: a few inserts in flight, retryable failures retried
 * with backoff inside a time budget while batches wait in a buffer bounded in bytes and rows
 * (oldest dropped first, and counted), permanent failures reported once with the fix, and
 * refused data split until the rows at fault are isolated, so one bad row never costs its batch.
 */
import { diag } from '@opentelemetry/api';
import { backoffDelay, classifyFailure } from './errors.js';
import type { Counters, DropReason, TableKind } from './counters.js';

export interface Batch {
  table: string;
  kind: TableKind;
  /** JSONEachRow bytes. */
  body: Buffer;
  /** Byte offset just past each row, so a refused batch can be split on row boundaries. */
  rowEnds: number[];
}

export interface DeliveryLimits {
  maxInFlight: number;
  maxBufferBytes: number;
  maxBufferRows: number;
  /** How long a batch may keep failing before it is dropped as expired. */
  retryBudgetMs: number;
}

export type Insert = (batch: Batch) => Promise<void>;

/** Why a batch was not stored. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
  constructor(
    readonly reason: DropReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

interface Item {
  batch: Batch;
  attempts: number;
  firstAttemptAt: number | undefined;
  settle: { resolve: () => void; reject: (error: Error) => void };
}

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export class DeliveryQueue {
  private readonly waiting: Item[] = [];
  private inFlight = 0;
  private pausedUntil = 0;
  private wakeTimer: NodeJS.Timeout | undefined;
  private idleWaiters: Array<() => void> = [];
  private readonly reported = new Set<string>();
  private outage = false;

  constructor(
    private readonly insert: Insert,
    private readonly limits: DeliveryLimits,
    private readonly counters: Counters,
    private readonly now: () => number = Date.now,
  ) {}

  /** Resolves when the batch is stored; rejects with a DeliveryError when it is given up on. */
  deliver(batch: Batch): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.makeRoom(batch);
      this.enqueue({ batch, attempts: 0, firstAttemptAt: undefined, settle: { resolve, reject } });
      this.pump();
    });
  }

  /** Resolves when nothing waits or is in flight. */
  idle(): Promise<void> {
    if (this.waiting.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Gives up on every batch still waiting (shutdown). In-flight inserts finish on their own. */
  dropWaiting(reason: DropReason, message: string): void {
    for (const item of this.waiting.splice(0)) {
      this.unbuffer(item.batch);
      this.drop(item, reason, message);
    }
    clearTimeout(this.wakeTimer);
    this.notifyIdle();
  }

  private makeRoom(batch: Batch): void {
    const s = this.counters.stats;
    while (
      this.waiting.length > 0 &&
      (s.bufferedBytes + batch.body.length > this.limits.maxBufferBytes || s.bufferedRows + batch.rowEnds.length > this.limits.maxBufferRows)
    ) {
      const oldest = this.waiting.shift()!;
      this.unbuffer(oldest.batch);
      this.drop(oldest, 'buffer_full', `llm-traces: retry buffer full (${this.limits.maxBufferRows} rows / ${this.limits.maxBufferBytes} bytes); the oldest batch was dropped`);
    }
  }

  private enqueue(item: Item, atHead = false): void {
    const s = this.counters.stats;
    s.bufferedBytes += item.batch.body.length;
    s.bufferedRows += item.batch.rowEnds.length;
    if (atHead) this.waiting.unshift(item);
    else this.waiting.push(item);
  }

  private unbuffer(batch: Batch): void {
    const s = this.counters.stats;
    s.bufferedBytes -= batch.body.length;
    s.bufferedRows -= batch.rowEnds.length;
  }

  private pump(): void {
    const now = this.now();
    if (now < this.pausedUntil) {
      this.wakeAt(this.pausedUntil);
      return;
    }
    while (this.inFlight < this.limits.maxInFlight && this.waiting.length > 0) {
      const item = this.waiting.shift()!;
      this.unbuffer(item.batch);
      this.inFlight++;
      void this.attempt(item).finally(() => {
        this.inFlight--;
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
    if (this.waiting.length > 0 || this.inFlight > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private async attempt(item: Item): Promise<void> {
    item.firstAttemptAt ??= this.now();
    try {
      await this.insert(item.batch);
    } catch (error) {
      this.failed(item, error);
      return;
    }
    if (this.outage) {
      this.outage = false;
      log.info('ClickHouse accepts inserts again');
    }
    this.reported.clear();
    this.counters.exported(item.batch.kind, item.batch.rowEnds.length);
    item.settle.resolve();
  }

  private failed(item: Item, error: unknown): void {
    const failure = classifyFailure(error);
    const message = error instanceof Error ? error.message : String(error);
    if (failure.retryable) {
      item.attempts++;
      if (this.now() - item.firstAttemptAt! >= this.limits.retryBudgetMs) {
        this.drop(item, 'expired', `llm-traces: ClickHouse kept failing for ${this.limits.retryBudgetMs} ms (${failure.reason}): ${message}`, error);
        return;
      }
      this.counters.stats.retries++;
      if (!this.outage) {
        this.outage = true;
        log.warn(`insert into ${item.batch.table} failed (${failure.reason}: ${message}); retrying with backoff, batches wait in the buffer`);
      }
      this.pausedUntil = this.now() + backoffDelay(item.attempts);
      this.enqueue(item, true);
      return;
    }
    if (failure.dataError && item.batch.rowEnds.length > 1) {
      // Retry each half: the rows ClickHouse refuses end up alone and are dropped alone.
      const [first, second] = splitBatch(item.batch);
      let pending = 2;
      const half = (batch: Batch): Item => ({
        batch,
        attempts: item.attempts,
        firstAttemptAt: item.firstAttemptAt,
        settle: {
          resolve: () => {
            if (--pending === 0) item.settle.resolve();
          },
          // A half that fails has already counted its rows; the parent reports success for the rest.
          reject: () => {
            if (--pending === 0) item.settle.resolve();
          },
        },
      });
      this.enqueue(half(second), true);
      this.enqueue(half(first), true);
      return;
    }
    const reason: DropReason = failure.dataError ? 'invalid_row' : 'permanent_failure';
    const key = `${item.batch.table}:${failure.reason}`;
    if (!this.reported.has(key)) {
      this.reported.add(key);
      log.error(`insert into ${item.batch.table} refused (${failure.reason}): ${message.trim()}. Fix: ${failure.fix}. Not retried.`);
    }
    this.drop(item, reason, `llm-traces: ClickHouse refused the insert into ${item.batch.table} (${failure.reason}): ${message.trim()}`, error);
  }

  private drop(item: Item, reason: DropReason, message: string, cause?: unknown): void {
    this.counters.dropped(reason, item.batch.rowEnds.length);
    item.settle.reject(new DeliveryError(reason, message, cause === undefined ? undefined : { cause }));
  }
}

/** Splits a batch into two halves on a row boundary. */
export function splitBatch(batch: Batch): [Batch, Batch] {
  const middle = Math.ceil(batch.rowEnds.length / 2);
  const cut = batch.rowEnds[middle - 1]!;
  return [
    { ...batch, body: batch.body.subarray(0, cut), rowEnds: batch.rowEnds.slice(0, middle) },
    { ...batch, body: batch.body.subarray(cut), rowEnds: batch.rowEnds.slice(middle).map((end) => end - cut) },
  ];
}
