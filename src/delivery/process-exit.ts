/**
 * The process's end, for exporters that still hold rows. The SDK calls the exporter's shutdown()
 * only when its span processor's last flush succeeded; when that flush rejects (a processor
 * timeout shorter than the store's answer) or the app never shuts the SDK down, the rows handed
 * over would vanish uncounted. So: when the event loop empties (`beforeExit`) an exporter with rows
 * not yet stored gets to store them within its shutdown deadline, and when the process exits
 * without waiting (`process.exit()`), what is left is counted as dropped and said in one line.
 */

export interface ExitParticipant {
  /** The event loop is empty: start whatever must still happen (it keeps the process alive while it runs). */
  beforeExit(): void;
  /** The process exits now: synchronous accounting only. */
  exit(): void;
}

const participants = new Set<ExitParticipant>();
let installed = false;

/** Takes part in the process's end until `leave()` is called (shutdown). */
export function joinProcessExit(participant: ExitParticipant): { leave(): void } {
  if (!installed) {
    installed = true;
    process.on('beforeExit', () => {
      for (const p of participants) p.beforeExit();
    });
    process.on('exit', () => {
      for (const p of participants) p.exit();
    });
  }
  participants.add(participant);
  return { leave: () => participants.delete(participant) };
}

/**
 * Keeps the process alive until `work` settles: the app awaits it, and the timers it depends on
 * (retry backoff, deadlines) are unref'd so that they never keep an idle app alive by themselves.
 * Without this, Node would exit mid-await with the promise pending (exit code 13).
 */
export async function keepProcessAlive<T>(work: Promise<T>): Promise<T> {
  const timer = setInterval(() => {}, 60_000);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
