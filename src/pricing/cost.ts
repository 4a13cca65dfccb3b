/**
 * Cost of one call from its token usage and compiled rates. Token counts are inclusive
 * (`TokenUsage`): promptTokens contains cachedInputTokens and cacheWriteTokens, completionTokens
 * contains reasoningTokens. So fresh input is what remains of the prompt after the cache
 * buckets, each bucket is priced once at its own rate, and reasoning is already in the output.
 */
import type { TokenUsage } from '../model/llm-call.js';
import { costNanos, formatUsd } from './money.js';
import type { CompiledPricing, CompiledRates } from './price-entries.js';
import type { CostBreakdown } from './types.js';

/** `undefined` when the usage reports no token count at all: unknown is not zero. */
export function priceUsage(pricing: CompiledPricing, usage: TokenUsage | undefined, costSource: string): CostBreakdown | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const prompt = tokenCount(usage.promptTokens);
  const completion = tokenCount(usage.completionTokens);
  const cachedRead = tokenCount(usage.cachedInputTokens);
  const cacheWrite = tokenCount(usage.cacheWriteTokens);
  if (prompt === undefined && completion === undefined && cachedRead === undefined && cacheWrite === undefined) {
    return undefined;
  }
  const cached = cachedRead ?? 0;
  const written = cacheWrite ?? 0;
  // Long-context tiers are decided by the whole prompt, cache buckets included.
  const rates = ratesFor(pricing, Math.max(prompt ?? 0, cached + written));
  const input = costNanos(Math.max(0, (prompt ?? 0) - cached - written), rates.input);
  const cachedInput = costNanos(cached, rates.cachedInput);
  const cacheWriteCost = costNanos(written, rates.cacheWrite);
  const output = costNanos(completion ?? 0, rates.output);
  return {
    costUsd: formatUsd(input + cachedInput + cacheWriteCost + output),
    inputCostUsd: formatUsd(input),
    cachedInputCostUsd: formatUsd(cachedInput),
    cacheWriteCostUsd: formatUsd(cacheWriteCost),
    outputCostUsd: formatUsd(output),
    costSource,
  };
}

function ratesFor(pricing: CompiledPricing, promptTokens: number): CompiledRates {
  return pricing.tiers.find((tier) => promptTokens > tier.abovePromptTokens)?.rates ?? pricing.base;
}

function tokenCount(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.round(value)) : undefined;
}
