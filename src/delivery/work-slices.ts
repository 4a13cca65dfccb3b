/**
 * Exporter work runs on the app's thread: it yields to the event loop whenever it has run for a
 * time budget, so the app's timers and I/O wait at most about that long for any one export,
 * whatever the batch holds (a slice of small spans and one 200 KB prompt cost the same wait).
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/** Longest stretch of exporter work between two yields to the event loop. */
const SLICE_MS = 2;

export class WorkSlices {
  private started = performance.now();

  /** The current slice has used its budget: yield before the next unit of work. */
  due(): boolean {
    return performance.now() - this.started >= SLICE_MS;
  }

  /** Yields to the event loop and starts a new slice. */
  async yield(): Promise<void> {
    await yieldToEventLoop();
    this.started = performance.now();
  }
}

/** Calls `work` on each item, yielding to the event loop whenever the slice's budget is spent. */
export async function inSlices<T>(items: Iterable<T>, work: (item: T) => void, slices = new WorkSlices()): Promise<void> {
  for (const item of items) {
    if (slices.due()) await slices.yield();
    work(item);
  }
}
