/**
 * The instant a view's relative window ends at ("the last 24 h" up to now): taken when the view's
 * address changes and, while the view polls, every `refreshMs`. A view makes one request per
 * change: re-reading the clock after mounting would send every request twice.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';

let early: { key: string; at: Date } | undefined;

/**
 * The instant the first view of `key` will take: the shell reads the clock before the view's
 * code has loaded, to start the view's request early with the same window (first-request.ts).
 */
export function claimableInstant(key: string): Date {
  early = { key, at: new Date() };
  return early.at;
}

/** The first view to mount takes the early instant if it is for its address; later ones read the clock. */
function firstInstant(key: string): Date {
  const at = early?.key === key ? early.at : new Date();
  early = undefined;
  return at;
}

export function useNow(key: string, refreshMs?: number): Date {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((n) => n + 1);
    }, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);
  return useMemo(() => (tick === 0 ? firstInstant(key) : new Date()), [key, tick]);
}
