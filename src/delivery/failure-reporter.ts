import type { FailureClass } from './retry-policy.js';

/**
 * Reports each permanent failure once, with its fix, wherever it shows (opening the store,
 * inserting), and a retryable one once, until the store works again; repeating them on every
 * export or retry would drown the cause.
 */
export class FailureReporter {
  private readonly reported = new Set<string>();
  private transientReported = false;
  private invalidValueReported = false;

  constructor(private readonly log: { error(message: string): void; warn(message: string): void }) {}

  /** A retryable failure: warned once until the store works again, not on every retry. */
  transient(what: string): void {
    if (this.transientReported) return;
    this.transientReported = true;
    this.log.warn(what);
  }

  permanent(failure: FailureClass, what: string): void {
    if (this.reported.has(failure.reason)) return;
    this.reported.add(failure.reason);
    this.log.error(`${what}. Fix: ${failure.fix}. Not retried.`);
  }

  /** A value left out of a row: said the first time, only counted after that. */
  invalidValue(what: string): void {
    if (this.invalidValueReported) return;
    this.invalidValueReported = true;
    this.log.warn(`${what}; later ones are only counted (stats().droppedValues)`);
  }

  /** Rows given up on at shutdown or exit: always said, once per occasion, with the count and the reason. */
  lost(what: string): void {
    this.log.error(what);
  }

  recovered(): void {
    this.reported.clear();
    this.transientReported = false;
  }
}
