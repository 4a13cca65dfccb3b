/**
 * Read-time pricing of aggregated usage: calls grouped so that every call of a group is priced by
 * the same entry at the same rates (same provider, model names and day, same long-context band),
 * then priced as one. Each part is rounded once per group instead of once per call, so a group's
 * cost can differ from the sum of its calls' costs by less than a nano-dollar per call and part.
 */
import { costParts, ratesFor, type TokenCounts } from './cost.js';
import type { CatalogPricer } from './pricer.js';

export interface PricedGroup {
  provider: string;
  model: string;
  requestModel: string;
  /** YYYY-MM-DD (UTC) of the calls: picks the entry version in effect. */
  day: string;
  /** The largest `tierPromptTokens` of the group's calls; all of them fall in the same tier band. */
  tierPromptTokens: number;
  tokens: TokenCounts;
}

/** Nano-dollars of the group at the pricer's table, or undefined when no entry prices it. */
export function groupCostNanos(pricer: CatalogPricer, group: PricedGroup): bigint | undefined {
  const rates = groupRates(pricer, group);
  if (rates === undefined) return undefined;
  const parts = costParts(rates, group.tokens);
  return parts.input + parts.cachedInput + parts.cacheWrite + parts.output;
}

/** What the group's cache reads saved: their tokens at the input rate minus at the cache-read rate. */
export function cacheSavingsNanos(pricer: CatalogPricer, group: PricedGroup): bigint | undefined {
  const rates = groupRates(pricer, group);
  if (rates === undefined) return undefined;
  const asInput = costParts(rates, { prompt: group.tokens.cachedInput, cachedInput: 0, cacheWrite: 0, output: 0 }).input;
  return asInput - costParts(rates, { prompt: 0, cachedInput: group.tokens.cachedInput, cacheWrite: 0, output: 0 }).cachedInput;
}

function groupRates(pricer: CatalogPricer, group: PricedGroup) {
  const found = pricer.find({
    provider: group.provider || undefined,
    model: group.model || undefined,
    requestModel: group.requestModel || undefined,
    at: new Date(`${group.day}T00:00:00Z`),
  });
  return found && ratesFor(found.pricing, group.tierPromptTokens);
}
