import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Counters } from '../../../src/delivery/counters.js';
import type { DeliveryLimits } from '../../../src/config/config.js';
import { FailureReporter } from '../../../src/delivery/failure-reporter.js';
import { DeliveryError } from '../../../src/delivery/retry-policy.js';
import { chError } from '../../support/clickhouse-error.js';
import { DeliveryQueue, splitBatch, type Batch } from '../../../src/delivery/queue.js';
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
    const delivered = queue.deliver(await batchOf([{ a: 1 }, { a: 2 }]));
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
    const delivered = queue.deliver(await batchOf([{ a: 1 }]));
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
    await expect(queue.deliver(await batchOf(rows))).resolves.toBeUndefined();
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
    const first = queue.deliver(await batchOf([{ n: 1 }, { n: 2 }]));
    first.catch(() => {});
    await vi.advanceTimersByTimeAsync(1);
    const second = queue.deliver(await batchOf([{ n: 3 }, { n: 4 }]));
    const third = queue.deliver(await batchOf([{ n: 5 }, { n: 6 }]));
    await expect(first).rejects.toBeInstanceOf(DeliveryError);
    await expect(first).rejects.toMatchObject({ reason: 'buffer_full' });
    expect(counters.snapshot()).toMatchObject({ bufferedRows: 4, dropped: { buffer_full: 2 } });
    down = false;
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(second).resolves.toBeUndefined();
    await expect(third).resolves.toBeUndefined();
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 4, bufferedRows: 0 });
  });

  it('lets a burst wait its turn while ClickHouse works: the bound is for outages', async () => {
    const counters = new Counters();
    const queue = new DeliveryQueue(
      () => new Promise<void>((resolve) => setTimeout(resolve, 10)),
      { ...limits, maxBufferRows: 4 },
      counters,
      reporter(),
    );
    const deliveries = await Promise.all(Array.from({ length: 5 }, () => batchOf([{ n: 1 }, { n: 2 }])));
    const delivered = Promise.all(deliveries.map((batch) => queue.deliver(batch)));
    await vi.advanceTimersByTimeAsync(100);
    await expect(delivered).resolves.toHaveLength(5);
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 10, dropped: { buffer_full: 0 } });
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
    const delivered = queue.deliver(await batchOf([{ a: 1 }]));
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
    const delivered = queue.deliver(await batchOf([{ a: 1 }, { a: 2 }]));
    delivered.catch(() => {});
    await vi.advanceTimersByTimeAsync(1);
    queue.close('shut down');
    await expect(delivered).rejects.toMatchObject({ reason: 'shutdown' });
    await expect(queue.idle()).resolves.toBeUndefined();
    expect(counters.snapshot()).toMatchObject({ dropped: { shutdown: 2 }, bufferedRows: 0 });
    await expect(queue.deliver(await batchOf([{ a: 3 }]))).rejects.toMatchObject({ reason: 'shutdown' });
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
    const delivered = queue.deliver(await batchOf([{ a: 1 }, { a: 2 }, { a: 3 }]));
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
    const delivered = queue.deliver(await batchOf([{ a: 1 }, { a: 2 }]));
    await vi.advanceTimersByTimeAsync(10_000);
    await expect(delivered).resolves.toBeUndefined();
    expect(counters.snapshot()).toMatchObject({ exportedSpans: 2, retries: 2, dropped: { invalid_row: 0 } });
  });
});
