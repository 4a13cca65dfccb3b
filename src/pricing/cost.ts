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
  const tokens = { prompt: prompt ?? 0, cachedInput: cachedRead ?? 0, cacheWrite: cacheWrite ?? 0, output: completion ?? 0 };
  const parts = costParts(ratesFor(pricing, tierPromptTokens(tokens)), tokens);
  return {
    costUsd: formatUsd(parts.input + parts.cachedInput + parts.cacheWrite + parts.output),
    inputCostUsd: formatUsd(parts.input),
    cachedInputCostUsd: formatUsd(parts.cachedInput),
    cacheWriteCostUsd: formatUsd(parts.cacheWrite),
    outputCostUsd: formatUsd(parts.output),
    costSource,
  };
}

/** Inclusive token counts of a call (or of several calls priced at the same rates). */
export interface TokenCounts {
  prompt: number;
  cachedInput: number;
  cacheWrite: number;
  output: number;
}

/** Nano-dollars of each billed part: fresh input is what remains of the prompt after the cache buckets. */
export function costParts(rates: CompiledRates, tokens: TokenCounts): Record<'input' | 'cachedInput' | 'cacheWrite' | 'output', bigint> {
  return {
    input: costNanos(Math.max(0, tokens.prompt - tokens.cachedInput - tokens.cacheWrite), rates.input),
    cachedInput: costNanos(tokens.cachedInput, rates.cachedInput),
    cacheWrite: costNanos(tokens.cacheWrite, rates.cacheWrite),
    output: costNanos(tokens.output, rates.output),
  };
}

/** Long-context tiers are decided by the whole prompt, cache buckets included. */
export function tierPromptTokens(tokens: Omit<TokenCounts, 'output'>): number {
  return Math.max(tokens.prompt, tokens.cachedInput + tokens.cacheWrite);
}

/** The rates for a call whose prompt (see `tierPromptTokens`) has this many tokens. */
export function ratesFor(pricing: CompiledPricing, promptTokens: number): CompiledRates {
  return pricing.tiers.find((tier) => promptTokens > tier.abovePromptTokens)?.rates ?? pricing.base;
}

function tokenCount(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? Math.max(0, Math.round(value)) : undefined;
}
