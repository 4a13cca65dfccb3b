/**
 * Delivery of serialized batches to ClickHouse: a buffer bounded in bytes and rows (every batch not
 * yet stored counts, in flight or waiting) that accepts a batch once it has room for it, a few
 * inserts in flight behind it, retryable failures retried with backoff inside a time budget,
 * permanent failures reported once with the fix, and refused data split until the rows at fault
 * are isolated, so one bad row never costs its batch.
 *
 * Room: while ClickHouse works, a batch that does not fit waits until stored batches free room
 * (backpressure on the export, which answers once its rows are accepted). Past `admitWithinMs`
 * (a store too slow for the stream) the oldest batches still waiting for their insert are dropped
 * for it; inserts in flight are left to finish (an insert ClickHouse already has may be stored
 * whatever the client does, and chDB completes an aborted one). While ClickHouse fails, the oldest
 * batches are dropped at once, in flight or waiting. Every drop is counted.
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

/** A batch handed to the queue: accepted (in the bounded buffer) first, stored or given up on later. */
export interface Delivery {
  /** Resolves once the batch is in the buffer (or was given up on at once); never rejects. */
  accepted: Promise<void>;
  /** Resolves when the batch is stored; rejects with a DeliveryError when it is given up on. */
  stored: Promise<void>;
}

/** A batch waiting for room in the buffer. */
interface Admission {
  batch: Batch;
  accept: () => void;
  settle: Item['settle'];
  /** Waited `admitWithinMs` for room: admitted by dropping the oldest batches. */
  overdue?: boolean;
}

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
  /** Batches not yet accepted, in arrival order. */
  private readonly admissions: Admission[] = [];
  private admissionTimer: NodeJS.Timeout | undefined;
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
    /** How long a batch waits for room while ClickHouse works before the oldest are dropped for it. */
    private readonly admitWithinMs = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Hands a batch over: accepted when the buffer has room for it, then stored or given up on. */
  deliver(batch: Batch): Delivery {
    let settle!: Item['settle'];
    const stored = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    if (this.closing) {
      this.counters.dropped('shutdown', batch.rows);
      settle.reject(new DeliveryError('shutdown', 'llm-traces: the exporter is shutting down'));
      return { accepted: Promise.resolve(), stored };
    }
    const accepted = new Promise<void>((accept) => this.admissions.push({ batch, accept, settle }));
    this.admit();
    return { accepted, stored };
  }

  /** Resolves when nothing waits for room, waits for its insert or is in flight. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.admissions.length === 0 && this.waiting.length === 0 && this.inFlight.size === 0;
  }

  /**
   * Accepts waiting batches in arrival order: each once it fits, or at once while ClickHouse fails
   * or once it waited too long (the oldest batches dropped for it), or when the buffer is empty
   * (a batch larger than the whole bound still goes through, alone).
   */
  private admit(): void {
    while (this.admissions.length > 0) {
      const next = this.admissions[0]!;
      const incoming = { bytes: next.batch.body.length, rows: next.batch.rows };
      const empty = (): boolean => this.waiting.length === 0 && this.inFlight.size === 0;
      if (!this.fits(incoming) && !empty()) {
        if (this.outage) this.makeRoom(incoming, 'outage');
        else if (next.overdue) this.makeRoom(incoming, 'slow');
        if (!this.fits(incoming) && !empty()) {
          if (!next.overdue) this.admissionTimer ??= setTimeout(() => this.admissionOverdue(), this.admitWithinMs);
          break;
        }
      }
      this.admissions.shift();
      clearTimeout(this.admissionTimer);
      this.admissionTimer = undefined;
      this.buffer(next.batch, +1);
      this.place({ batch: next.batch, seq: this.nextSeq++, attempts: 0, firstAttemptAt: undefined, settle: next.settle });
      next.accept();
    }
    this.pump();
  }

  /**
   * The first waiting batch found no room within admitWithinMs though ClickHouse answers: it
   * stores more slowly than spans come. The oldest batches waiting for their insert are dropped for it.
   */
  private admissionOverdue(): void {
    this.admissionTimer = undefined;
    const head = this.admissions[0];
    if (!head) return;
    head.overdue = true;
    this.reporter.transient(
      `ClickHouse stores more slowly than spans arrive: the delivery buffer (${this.limits.maxBufferRows} rows / ${this.limits.maxBufferBytes} bytes) stayed full for ${this.admitWithinMs} ms, so the oldest batches are dropped (counted in stats().dropped.buffer_full)`,
    );
    this.admit();
  }

  private fits(incoming: { bytes: number; rows: number }): boolean {
    const s = this.counters.stats;
    return s.bufferedBytes + incoming.bytes <= this.limits.maxBufferBytes && s.bufferedRows + incoming.rows <= this.limits.maxBufferRows;
  }

  /**
   * Shutdown: gives up on every batch still waiting, aborts the inserts in flight, and from now on
   * drops instead of retrying. All of it is counted as `shutdown`.
   */
  close(message: string): void {
    this.closing = true;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.admissionTimer);
    for (const admission of this.admissions.splice(0)) {
      this.counters.dropped('shutdown', admission.batch.rows);
      admission.settle.reject(new DeliveryError('shutdown', message));
      admission.accept();
    }
    for (const item of this.waiting.splice(0)) this.drop(item, 'shutdown', message);
    for (const controller of this.inFlight.values()) controller.abort();
    this.notifyIdle();
  }

  /**
   * The process is exiting and nothing can be awaited any more: counts every batch not yet stored
   * (the inserts in flight too, whatever they still do) as dropped `shutdown`, now. Returns the rows.
   */
  abandon(message: string): number {
    const rows = this.counters.stats.bufferedRows + this.admissions.reduce((sum, a) => sum + a.batch.rows, 0);
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
   * Drops the oldest batches not yet stored until `incoming` more fit: waiting ones first, then,
   * during an outage, inserts in flight (aborted: they are the ones failing).
   */
  private makeRoom(incoming: { bytes: number; rows: number }, why: 'outage' | 'slow'): void {
    const cause = why === 'outage' ? 'while ClickHouse fails' : `for ${this.admitWithinMs} ms while ClickHouse stored too slowly`;
    const message = `llm-traces: delivery buffer full (${this.limits.maxBufferRows} rows / ${this.limits.maxBufferBytes} bytes) ${cause}; the oldest batch was dropped`;
    while (!this.fits(incoming) && (this.waiting.length > 0 || (why === 'outage' && this.inFlight.size > 0))) {
      const oldestInFlight = [...this.inFlight.keys()].reduce<Item | undefined>(
        (oldest, item) => (oldest && oldest.seq < item.seq ? oldest : item),
        undefined,
      );
      const oldestWaiting = this.waiting[0];
      if (oldestWaiting && (why === 'slow' || !oldestInFlight || oldestWaiting.seq < oldestInFlight.seq)) {
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
      // A stored or dropped batch frees room for the ones waiting to be accepted.
      void this.attempt(item, controller).finally(() => {
        this.admit();
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
    if (!this.isIdle()) return;
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
        // Batches waiting for room are accepted now, the oldest dropped for them.
        this.admit();
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

/**
 * Cuts a batch on row boundaries into inserts of at most `maxBytes` each (a row longer than that
 * is an insert of its own).
 */
export function splitBySize(batch: Batch, maxBytes: number): Batch[] {
  if (batch.body.length <= maxBytes) return [batch];
  const parts: Batch[] = [];
  let start = 0;
  let rows = 0;
  let end = 0;
  while (end < batch.body.length) {
    const next = batch.body.indexOf(NEWLINE, end) + 1 || batch.body.length;
    if (rows > 0 && next - start > maxBytes) {
      parts.push({ ...batch, body: batch.body.subarray(start, end), rows });
      start = end;
      rows = 0;
    }
    rows++;
    end = next;
  }
  parts.push({ ...batch, body: batch.body.subarray(start, end), rows });
  return parts;
}
