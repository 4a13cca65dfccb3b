/**
 * The instant a view's relative window ends at ("the last 24 h" up to now): taken when the view's
 * address changes and, while the view polls, every `refreshMs`. A view makes one request per
 * change: re-reading the clock after mounting would send every request twice.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';

export function useNow(key: string, refreshMs?: number): Date {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((n) => n + 1);
    }, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);
  return useMemo(() => new Date(), [key, tick]);
}
