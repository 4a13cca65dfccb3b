import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Counters } from '../../../src/delivery/counters.js';
import type { DeliveryLimits } from '../../../src/config/config.js';
import { FailureReporter } from '../../../src/delivery/failure-reporter.js';
import { DeliveryError } from '../../../src/delivery/retry-policy.js';
import { chError } from '../../support/clickhouse-error.js';
import { DeliveryQueue, splitBatch, splitBySize, type Batch } from '../../../src/delivery/queue.js';
import { serializeRows } from '../../../src/delivery/serialize.js';

const reporter = () => new FailureReporter({ error: () => {}, warn: () => {} });

const limits: DeliveryLimits = { maxInFlight: 1, maxBufferBytes: 1 << 20, maxBufferRows: 1000, retryBudgetMs: 60_000 };

async function batchOf(rows: object[], table = 't'): Promise<Batch> {
  const columns = Object.keys(rows[0]!);
  return { table, kind: 'spans', columns, ...(await serializeRows(rows, columns)) };
}

/** The rows of a JSONCompactEachRow batch, as objects again. */
function rowsOf(batch: Batch): unknown[] {
  return batch.body
    .toString()
    .trimEnd()
    .split('\n')
    .map((line) => Object.fromEntries((JSON.parse(line) as unknown[]).map((value, i) => [batch.columns[i], value])));
}

describe('splitBatch', () => {
  it('cuts on row boundaries', async () => {
    const batch = await batchOf([{ a: 1 }, { a: 'ü' }, { a: 3 }]);
    const [first, second] = splitBatch(batch);
    expect(rowsOf(first)).toEqual([{ a: 1 }, { a: 'ü' }]);
    expect(rowsOf(second)).toEqual([{ a: 3 }]);
    expect([first.rows, second.rows]).toEqual([2, 1]);
  });
});

describe('splitBySize', () => {
  it('cuts into inserts of at most the given bytes, on row boundaries, a longer row alone', async () => {
    const batch = await batchOf([{ s: 'a'.repeat(10) }, { s: 'b'.repeat(10) }, { s: 'c'.repeat(40) }, { s: 'd' }, { s: 'e' }]);
    const parts = splitBySize(batch, 40);
    expect(parts.map((part) => rowsOf(part).map((row) => (row as { s: string }).s[0]))).toEqual([['a', 'b'], ['c'], ['d', 'e']]);
    expect(parts.map((part) => part.rows)).toEqual([2, 1, 2]);
    expect(
      parts
        .slice(0, 1)
        .concat(parts.slice(2))
        .every((part) => part.body.length <= 40),
    ).toBe(true);
    expect(Buffer.concat(parts.map((part) => part.body))).toEqual(batch.body);
    expect(splitBySize(batch, batch.body.length)).toEqual([batch]);
  });
});

describe('DeliveryQueue', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('retries retryable failures with backoff until the insert succeeds', async () => {
    const counters = new Counters();
    let calls = 0;
    const queue = new DeliveryQueue(
      async () => {
        if (++calls < 4) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      },
      limits,
      counters,
      reporter(),
    );
    const delivered = queue.deliver(await batchOf([{ a: 1 }, { a: 2 }])).stored;
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(delivered).resolves.toBeUndefined();
    expect(calls).toBe(4);
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 2, retries: 3, bufferedRows: 0, bufferedBytes: 0 });
  });

  it('drops a batch after a permanent failure, without retrying', async () => {
    const counters = new Counters();
    let calls = 0;
    const queue = new DeliveryQueue(
      async () => {
        calls++;
        throw chError('516', 'AUTHENTICATION_FAILED');
      },
      limits,
      counters,
      reporter(),
    );
    const delivered = queue.deliver(await batchOf([{ a: 1 }])).stored;
    await expect(delivered).rejects.toMatchObject({ reason: 'permanent_failure' });
    expect(calls).toBe(1);
    expect(counters.snapshot().dropped.permanent_failure).toBe(1);
  });

  it('isolates the rows ClickHouse refuses and stores the rest of their batch', async () => {
    const counters = new Counters();
    const stored: unknown[] = [];
    const queue = new DeliveryQueue(
      async (batch) => {
        const rows = rowsOf(batch) as { ok: boolean }[];
        if (rows.some((row) => !row.ok)) throw chError('27', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED');
        stored.push(...rows);
      },
      limits,
      counters,
      reporter(),
    );
    const rows = Array.from({ length: 7 }, (_, i) => ({ i, ok: i !== 4 }));
    await expect(queue.deliver(await batchOf(rows)).stored).resolves.toBeUndefined();
    expect((stored as { i: number }[]).map((row) => row.i).sort()).toEqual([0, 1, 2, 3, 5, 6]);
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 6, dropped: { invalid_row: 1 } });
  });

  it('drops the oldest batches when the buffer is full, in flight or waiting, and counts them', async () => {
    const counters = new Counters();
    let down = true;
    const queue = new DeliveryQueue(
      async () => {
        if (down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      { ...limits, maxBufferRows: 4 },
      counters,
      reporter(),
    );
    const first = queue.deliver(await batchOf([{ n: 1 }, { n: 2 }])).stored;
    first.catch(() => {});
    await vi.advanceTimersByTimeAsync(1);
    const second = queue.deliver(await batchOf([{ n: 3 }, { n: 4 }])).stored;
    const third = queue.deliver(await batchOf([{ n: 5 }, { n: 6 }])).stored;
    await expect(first).rejects.toBeInstanceOf(DeliveryError);
    await expect(first).rejects.toMatchObject({ reason: 'buffer_full' });
    expect(counters.snapshot()).toMatchObject({ bufferedRows: 4, dropped: { buffer_full: 2 } });
    down = false;
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(second).resolves.toBeUndefined();
    await expect(third).resolves.toBeUndefined();
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 4, bufferedRows: 0 });
  });

  it('accepts a batch once the buffer has room while ClickHouse works: a burst waits, nothing is dropped', async () => {
    const counters = new Counters();
    const queue = new DeliveryQueue(
      () => new Promise<void>((resolve) => setTimeout(resolve, 10)),
      { ...limits, maxBufferRows: 4 },
      counters,
      reporter(),
    );
    const batches = await Promise.all(Array.from({ length: 5 }, (_, n) => batchOf([{ n }, { n }])));
    const deliveries = batches.map((batch) => queue.deliver(batch));
    const accepted: number[] = [];
    deliveries.forEach((d, i) => void d.accepted.then(() => accepted.push(i)));
    let peak = 0;
    const stored = Promise.all(deliveries.map((d) => d.stored.finally(() => (peak = Math.max(peak, counters.stats.bufferedRows)))));
    await vi.advanceTimersByTimeAsync(0);
    // Two batches of two rows fill the buffer of four; the others wait for room, in order.
    expect(accepted).toEqual([0, 1]);
    expect(counters.snapshot().bufferedRows).toBe(4);
    await vi.advanceTimersByTimeAsync(10);
    expect(accepted).toEqual([0, 1, 2]);
    await vi.advanceTimersByTimeAsync(100);
    await expect(stored).resolves.toHaveLength(5);
    expect(accepted).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBeLessThanOrEqual(4);
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 10, bufferedRows: 0, dropped: { buffer_full: 0 } });
  });

  it('accepts a batch larger than the whole bound when the buffer is empty', async () => {
    const counters = new Counters();
    const queue = new DeliveryQueue(async () => {}, { ...limits, maxBufferRows: 2 }, counters, reporter());
    const delivery = queue.deliver(await batchOf([{ n: 1 }, { n: 2 }, { n: 3 }]));
    await expect(delivery.accepted).resolves.toBeUndefined();
    await expect(delivery.stored).resolves.toBeUndefined();
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 3, dropped: { buffer_full: 0 } });
  });

  it('drops the oldest batch waiting for its insert when a batch found no room within admitWithinMs; inserts in flight finish', async () => {
    const counters = new Counters();
    const warnings: string[] = [];
    const queue = new DeliveryQueue(
      () => new Promise<void>((resolve) => setTimeout(resolve, 60_000)),
      { ...limits, maxBufferRows: 4 },
      counters,
      new FailureReporter({ error: () => {}, warn: (line) => warnings.push(line) }),
      5_000,
    );
    const batches = await Promise.all([1, 2, 3].map((n) => batchOf([{ n }, { n }])));
    // One insert in flight (maxInFlight 1), one batch waiting for it, one waiting for room.
    const deliveries = batches.map((batch) => queue.deliver(batch));
    deliveries.forEach((d) => d.stored.catch(() => {}));
    let thirdAccepted = false;
    void deliveries[2]!.accepted.then(() => (thirdAccepted = true));
    await vi.advanceTimersByTimeAsync(4_999);
    expect(thirdAccepted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(thirdAccepted).toBe(true);
    await expect(deliveries[1]!.stored).rejects.toMatchObject({ reason: 'buffer_full' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('stats().dropped.buffer_full');
    await vi.advanceTimersByTimeAsync(120_000);
    await expect(Promise.all([deliveries[0]!.stored, deliveries[2]!.stored])).resolves.toHaveLength(2);
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 4, bufferedRows: 0, dropped: { buffer_full: 2 } });
  });

  it('keeps a batch waiting past admitWithinMs while every buffered batch is in flight, and accepts it once one is stored', async () => {
    const counters = new Counters();
    const queue = new DeliveryQueue(
      () => new Promise<void>((resolve) => setTimeout(resolve, 60_000)),
      { ...limits, maxInFlight: 2, maxBufferRows: 4 },
      counters,
      reporter(),
      5_000,
    );
    const batches = await Promise.all([1, 2, 3].map((n) => batchOf([{ n }, { n }])));
    const deliveries = batches.map((batch) => queue.deliver(batch));
    let thirdAccepted = false;
    void deliveries[2]!.accepted.then(() => (thirdAccepted = true));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(thirdAccepted).toBe(false);
    await vi.advanceTimersByTimeAsync(50_000);
    expect(thirdAccepted).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(Promise.all(deliveries.map((d) => d.stored))).resolves.toHaveLength(3);
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 6, bufferedRows: 0, dropped: { buffer_full: 0 } });
  });

  it('accepts the batches waiting for room as soon as ClickHouse fails, dropping the oldest for them', async () => {
    const counters = new Counters();
    let fail: (() => void) | undefined;
    let down = true;
    const queue = new DeliveryQueue(
      () =>
        down
          ? new Promise<void>(
              (_, reject) => (fail = () => reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))),
            )
          : Promise.resolve(),
      { ...limits, maxBufferRows: 4 },
      counters,
      reporter(),
    );
    const batches = await Promise.all([1, 2, 3].map((n) => batchOf([{ n }, { n }])));
    const deliveries = batches.map((batch) => queue.deliver(batch));
    deliveries.forEach((d) => d.stored.catch(() => {}));
    let thirdAccepted = false;
    void deliveries[2]!.accepted.then(() => (thirdAccepted = true));
    await vi.advanceTimersByTimeAsync(0);
    expect(thirdAccepted).toBe(false);
    fail!();
    await vi.advanceTimersByTimeAsync(0);
    expect(thirdAccepted).toBe(true);
    await expect(deliveries[0]!.stored).rejects.toMatchObject({ reason: 'buffer_full' });
    down = false;
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(Promise.all([deliveries[1]!.stored, deliveries[2]!.stored])).resolves.toHaveLength(2);
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 4, bufferedRows: 0, dropped: { buffer_full: 2 } });
  });

  it('counts a batch still waiting for room at shutdown as shutdown, and settles it', async () => {
    const counters = new Counters();
    const queue = new DeliveryQueue(() => new Promise<void>(() => {}), { ...limits, maxBufferRows: 2 }, counters, reporter());
    const [first, second] = await Promise.all([1, 2].map((n) => batchOf([{ n }, { n }])));
    const deliveries = [queue.deliver(first!), queue.deliver(second!)];
    deliveries.forEach((d) => d.stored.catch(() => {}));
    await vi.advanceTimersByTimeAsync(0);
    expect(queue.abandon('exit')).toBe(4);
    await expect(deliveries[1]!.accepted).resolves.toBeUndefined();
    await expect(deliveries[1]!.stored).rejects.toMatchObject({ reason: 'shutdown' });
    await expect(queue.idle()).resolves.toBeUndefined();
    expect(counters.snapshot()).toMatchObject({ bufferedRows: 0, dropped: { shutdown: 4 } });
  });

  it('gives up on a batch that keeps failing past the retry budget', async () => {
    const counters = new Counters();
    const queue = new DeliveryQueue(
      async () => {
        throw new Error('Timeout error.');
      },
      { ...limits, retryBudgetMs: 5_000 },
      counters,
      reporter(),
    );
    const delivered = queue.deliver(await batchOf([{ a: 1 }])).stored;
    delivered.catch(() => {});
    await vi.advanceTimersByTimeAsync(120_000);
    await expect(delivered).rejects.toMatchObject({ reason: 'expired' });
    expect(counters.snapshot().dropped.expired).toBe(1);
  });

  it('gives up at shutdown: drops what waits, aborts inserts in flight, retries nothing more', async () => {
    const counters = new Counters();
    const queue = new DeliveryQueue(
      async () => {
        throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      },
      limits,
      counters,
      reporter(),
    );
    const delivered = queue.deliver(await batchOf([{ a: 1 }, { a: 2 }])).stored;
    delivered.catch(() => {});
    await vi.advanceTimersByTimeAsync(1);
    queue.close('shut down');
    await expect(delivered).rejects.toMatchObject({ reason: 'shutdown' });
    await expect(queue.idle()).resolves.toBeUndefined();
    expect(counters.snapshot()).toMatchObject({ dropped: { shutdown: 2 }, bufferedRows: 0 });
    await expect(queue.deliver(await batchOf([{ a: 3 }])).stored).rejects.toMatchObject({ reason: 'shutdown' });
  });

  it('aborts an insert in flight at shutdown and counts its rows as shutdown', async () => {
    const counters = new Counters();
    const queue = new DeliveryQueue(
      (_batch, signal) =>
        new Promise<void>((_, reject) => signal.addEventListener('abort', () => reject(new Error('The user aborted a request.')))),
      limits,
      counters,
      reporter(),
    );
    const delivered = queue.deliver(await batchOf([{ a: 1 }, { a: 2 }, { a: 3 }])).stored;
    delivered.catch(() => {});
    await vi.advanceTimersByTimeAsync(1);
    expect(counters.snapshot().bufferedRows).toBe(3);
    queue.close('shut down');
    await expect(delivered).rejects.toMatchObject({ reason: 'shutdown' });
    expect(counters.snapshot()).toMatchObject({ dropped: { shutdown: 3 }, bufferedRows: 0, retries: 0 });
  });

  it('retries errors that are not about the data, such as a server shutting down (ABORTED)', async () => {
    const counters = new Counters();
    let calls = 0;
    const queue = new DeliveryQueue(
      async () => {
        if (++calls < 3) throw chError('236', 'ABORTED');
      },
      limits,
      counters,
      reporter(),
    );
    const delivered = queue.deliver(await batchOf([{ a: 1 }, { a: 2 }])).stored;
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(delivered).resolves.toBeUndefined();
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 2, retries: 2, dropped: { invalid_row: 0 } });
  });
});
