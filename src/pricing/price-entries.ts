/**
 * Validation and compilation of price entries (bundled, `prices`, a prices file, or rates returned
 * by `priceFn`). Input is untyped because two of those sources are user JSON; every problem is
 * reported with the path of the offending field.
 */
import { normalizeProvider } from '../model/normalize.js';
import { rateToNanos } from './money.js';
import { normalizeModelName } from './model-name.js';
import type { ModelPrice } from './types.js';

/** Rates in nano-dollars per million tokens, with the cache fallbacks already applied. */
export interface CompiledRates {
  input: bigint;
  cachedInput: bigint;
  cacheWrite: bigint;
  output: bigint;
}

export interface CompiledPricing {
  base: CompiledRates;
  /** Highest threshold first. */
  tiers: ReadonlyArray<{ abovePromptTokens: number; rates: CompiledRates }>;
}

export interface CompiledPrice {
  /** The entry as given (validated). */
  source: ModelPrice;
  /** Normalized model name and aliases. */
  names: readonly string[];
  /** Normalized provider names; undefined = any provider. */
  providers?: ReadonlySet<string>;
  /** YYYY-MM-DD; '' when a user entry gives none (in effect from the beginning). */
  effectiveDate: string;
  pricing: CompiledPricing;
}

const RATE_FIELDS = ['inputPerMillion', 'outputPerMillion', 'cachedInputPerMillion', 'cacheWritePerMillion'] as const;
const TIER_FIELDS = new Set<string>([...RATE_FIELDS, 'abovePromptTokens']);
const MODEL_PRICE_FIELDS = new Set<string>([...RATE_FIELDS, 'tiers', 'model', 'aliases', 'providers', 'effectiveDate']);

/** An entry of a price table; `path` names it in errors (`prices[3]`). */
export function compilePrice(value: unknown, path: string, options: { requireEffectiveDate: boolean }): CompiledPrice {
  const entry = asRecord(value, path, MODEL_PRICE_FIELDS);
  const model = nonEmptyString(entry.model, `${path}.model`);
  const aliases = optionalArray(entry.aliases, `${path}.aliases`).map((alias, i) => nonEmptyString(alias, `${path}.aliases[${i}]`));
  const providers =
    entry.providers === undefined
      ? undefined
      : new Set(
          optionalArray(entry.providers, `${path}.providers`).map(
            (p, i) => normalizeProvider(nonEmptyString(p, `${path}.providers[${i}]`)) as string,
          ),
        );
  const effectiveDate =
    entry.effectiveDate === undefined && !options.requireEffectiveDate ? '' : isoDate(entry.effectiveDate, `${path}.effectiveDate`);
  return {
    source: entry as unknown as ModelPrice,
    names: [model, ...aliases].map(normalizeModelName),
    providers,
    effectiveDate,
    pricing: compileModelRates(entry, path),
  };
}

/** Rates with optional tiers, e.g. what a `priceFn` returned (a whole `ModelPrice` is accepted too). */
export function compileModelRates(value: unknown, path: string): CompiledPricing {
  const record = asRecord(value, path, MODEL_PRICE_FIELDS);
  const thresholds = new Set<number>();
  const tiers = optionalArray(record.tiers, `${path}.tiers`).map((tierValue, i) => {
    const tierPath = `${path}.tiers[${i}]`;
    const tier = asRecord(tierValue, tierPath, TIER_FIELDS);
    const above = tier.abovePromptTokens;
    if (typeof above !== 'number' || !Number.isSafeInteger(above) || above <= 0) {
      throw new Error(`${tierPath}.abovePromptTokens must be a positive integer, got ${JSON.stringify(above)}`);
    }
    if (thresholds.has(above)) throw new Error(`${tierPath}.abovePromptTokens repeats threshold ${above}`);
    thresholds.add(above);
    return { abovePromptTokens: above, rates: compileRates(tier, tierPath) };
  });
  tiers.sort((a, b) => b.abovePromptTokens - a.abovePromptTokens);
  return { base: compileRates(record, path), tiers };
}

function compileRates(record: Record<string, unknown>, path: string): CompiledRates {
  const rate = (field: (typeof RATE_FIELDS)[number]): bigint | undefined => {
    const value = record[field];
    if (value === undefined) return undefined;
    try {
      return rateToNanos(value as number);
    } catch (error) {
      throw new Error(`${path}.${field} ${(error as Error).message}`);
    }
  };
  const required = (field: 'inputPerMillion' | 'outputPerMillion'): bigint => {
    const value = rate(field);
    if (value === undefined) throw new Error(`${path}.${field} is required`);
    return value;
  };
  const input = required('inputPerMillion');
  return {
    input,
    output: required('outputPerMillion'),
    // A provider that publishes no cache price bills those tokens like any other input token.
    cachedInput: rate('cachedInputPerMillion') ?? input,
    cacheWrite: rate('cacheWritePerMillion') ?? input,
  };
}

function asRecord(value: unknown, path: string, allowed: ReadonlySet<string>): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`${path} must be an object, got ${describe(value)}`);
  }
  const unknown = Object.keys(value).filter((key) => !allowed.has(key));
  if (unknown.length > 0) {
    throw new Error(`${path} has unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')}; allowed: ${[...allowed].join(', ')}`);
  }
  return value as Record<string, unknown>;
}

function optionalArray(value: unknown, path: string): readonly unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new Error(`${path} must be an array, got ${describe(value)}`);
  return value;
}

function nonEmptyString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new Error(`${path} must be a non-empty string, got ${describe(value)}`);
  return value;
}

function isoDate(value: unknown, path: string): string {
  const time = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : NaN;
  // Date.parse accepts 2026-02-30 (as March 2); the round trip rejects it.
  const valid = !Number.isNaN(time) && new Date(time).toISOString().slice(0, 10) === value;
  if (!valid) throw new Error(`${path} must be a date written YYYY-MM-DD, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
