/**
 * Work that runs side by side but hands its result over in the order it was started: each piece
 * gets the end of the one before to wait for. What is still running can be awaited (shutdown).
 */
export class OrderedHandOver {
  /** The latest work's end; never rejects, so one failure does not stop the ones after it. */
  private last: Promise<unknown> = Promise.resolve();
  private readonly running = new Set<Promise<unknown>>();

  /** Runs `work`, which awaits `previous` before it hands anything over. */
  run<T>(work: (previous: Promise<unknown>) => Promise<T>): Promise<T> {
    const task = work(this.last);
    this.last = task.catch(() => {});
    this.running.add(task);
    const done = () => this.running.delete(task);
    task.then(done, done);
    return task;
  }

  /** Settles when every work started so far has settled. */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.running]);
  }
}
