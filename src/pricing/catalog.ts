/**
 * Lookup over compiled price entries. The winner for a call is, in order:
 * 1. a user entry over a bundled one;
 * 2. an entry naming the call's provider over a provider-agnostic one;
 * 3. the most specific name (`gpt-4o-mini` over `gpt-4o`);
 * 4. among versions of that same entry, the newest in effect at the call's time (the oldest when
 *    the call predates them all).
 * Entries for other providers are skipped when the call's provider is one the catalog knows, so a
 * Bedrock call is never priced at a first-party rate by accident; a provider the catalog has never
 * heard of (a gateway such as `openrouter`) narrows nothing.
 */
import { normalizeProvider } from '../model/normalize.js';
import { matchLength, normalizeModelName } from './model-name.js';
import type { CompiledPrice, CompiledPricing } from './price-entries.js';

export interface CatalogEntry extends CompiledPrice {
  /** True for entries from `prices`, `pricesFile`; they win over bundled ones. */
  user: boolean;
}

export interface CatalogMatch {
  pricing: CompiledPricing;
  user: boolean;
  /** The version of the entry that matched. */
  entry: CatalogEntry;
}

export interface Catalog {
  find(model: string, provider: string | undefined, at: Date): CatalogMatch | undefined;
}

export function createCatalog(entries: readonly CatalogEntry[]): Catalog {
  const knownProviders = new Set(entries.flatMap((entry) => [...(entry.providers ?? [])]));
  // Lookups repeat (a few models, many calls): the scan over ~100 entries runs once per model and day.
  const found = new Map<string, CatalogMatch | undefined>();

  const find = (model: string, rawProvider: string | undefined, day: string): CatalogMatch | undefined => {
    const name = normalizeModelName(model);
    const provider = normalizeProvider(rawProvider);
    const narrowing = provider !== undefined && knownProviders.has(provider) ? provider : undefined;
    let best: { key: number[]; versions: CatalogEntry[] } | undefined;
    for (const entry of entries) {
      if (narrowing !== undefined && entry.providers !== undefined && !entry.providers.has(narrowing)) continue;
      const length = Math.max(...entry.names.map((pattern) => matchLength(pattern, name)));
      if (length === 0) continue;
      const key = [entry.user ? 1 : 0, narrowing !== undefined && entry.providers !== undefined ? 1 : 0, length];
      const order = best === undefined ? 1 : compareKeys(key, best.key);
      if (order > 0) best = { key, versions: [entry] };
      else if (order === 0) best?.versions.push(entry);
    }
    if (best === undefined) return undefined;
    const chosen = inEffect(best.versions, day);
    return { pricing: chosen.pricing, user: chosen.user, entry: chosen };
  };

  return {
    find(model, rawProvider, at) {
      const day = at.toISOString().slice(0, 10);
      const key = `${rawProvider ?? ''}\u0000${model}\u0000${day}`;
      if (found.has(key)) return found.get(key);
      const match = find(model, rawProvider, day);
      if (found.size >= MAX_CACHED) found.clear();
      found.set(key, match);
      return match;
    },
  };
}

const MAX_CACHED = 10_000;

function compareKeys(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return 0;
}

/** The newest version effective on `day` (YYYY-MM-DD), else the oldest. */
function inEffect(versions: readonly CatalogEntry[], day: string): CatalogEntry {
  const byDate = [...versions].sort((a, b) => a.effectiveDate.localeCompare(b.effectiveDate));
  return byDate.filter((entry) => entry.effectiveDate <= day).at(-1) ?? (byDate[0] as CatalogEntry);
}
