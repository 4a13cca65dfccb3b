/**
 * `createPricer`: puts the bundled table, user entries and an optional `priceFn` together. All
 * validation happens here, at creation, so a bad configuration fails loudly once; `price` itself
 * never throws, because it runs inside the exporter.
 */
import { COST_FIELDS } from '../model/fields.js';
import { readFileSync } from 'node:fs';
import { diag } from '@opentelemetry/api';
import { createCatalog, type CatalogEntry } from './catalog.js';
import { priceUsage } from './cost.js';
import { normalizeModelName } from './model-name.js';
import { isUsdDecimal } from './money.js';
import { compileModelRates, compilePrice, type CompiledPrice, type CompiledPricing } from './price-entries.js';
import { BUNDLED_PRICES, PRICE_TABLE_VERSION } from './price-table.js';
import type { CostBreakdown, ModelPrice, PriceRequest, Pricer, PricingOptions } from './types.js';

const logger = diag.createComponentLogger({ namespace: 'llm-traces' });

const BUNDLED_SOURCE = `price_table:${PRICE_TABLE_VERSION}`;
const USER_SOURCE = `${BUNDLED_SOURCE}+user`;
// Bounds the memory spent remembering what was already reported when model names are unbounded.
const MAX_REPORTED = 1000;

/** The table entry a call is priced with: what the viewer shows beside a cost. */
export interface FoundPrice {
  /** The entry's model name as written. */
  model: string;
  /** Normalized provider names the entry is for; undefined: any provider. */
  providers: string[] | undefined;
  /** YYYY-MM-DD; '' for a user entry without one. */
  effectiveDate: string;
  /** From `prices`/`pricesFile` rather than the bundled table. */
  user: boolean;
  pricing: CompiledPricing;
}

/** A pricer that can also say which table entry prices a request (without consulting `priceFn`). */
export interface CatalogPricer extends Pricer {
  find(request: PriceRequest): FoundPrice | undefined;
  /** Every long-context threshold of the table, ascending: calls on the same side of each are priced at the same tier. */
  readonly tierThresholds: readonly number[];
  /** The table: user entries (`prices`, then `pricesFile`), then the bundled ones. */
  readonly entries: ReadonlyArray<{ price: ModelPrice; user: boolean }>;
}

export function createPricer(options: PricingOptions = {}): CatalogPricer {
  const userEntries = [
    ...(options.prices ?? []).map((entry, i) => compilePrice(entry, `prices[${i}]`, { requireEffectiveDate: false })),
    ...(options.pricesFile === undefined ? [] : loadPricesFile(options.pricesFile)),
  ];
  const entries = [
    ...userEntries.map((entry): CatalogEntry => ({ ...entry, user: true })),
    ...BUNDLED_PRICES.map((entry, i): CatalogEntry => ({
      ...compilePrice(entry, `BUNDLED_PRICES[${i}]`, { requireEffectiveDate: true }),
      user: false,
    })),
  ];
  const catalog = createCatalog(entries);
  const tierThresholds = [...new Set(entries.flatMap((entry) => entry.pricing.tiers.map((tier) => tier.abovePromptTokens)))].sort(
    (a, b) => a - b,
  );
  const reportOnce = onceReporter();
  const { priceFn } = options;

  const fromPriceFn = (request: PriceRequest): CostBreakdown | undefined => {
    if (priceFn === undefined) return undefined;
    const subject = `model ${JSON.stringify(request.model ?? request.requestModel ?? '')}`;
    try {
      const result = priceFn(request);
      if (result === undefined) return undefined;
      if ('costUsd' in result) return checkedBreakdown(result);
      return priceUsage(compileModelRates(result, 'priceFn result'), request.usage, USER_SOURCE);
    } catch (error) {
      reportOnce(`priceFn:${subject}`, () => `priceFn failed for ${subject}, using the price table instead: ${(error as Error).message}`);
      return undefined;
    }
  };

  const find = (request: PriceRequest): FoundPrice | undefined => {
    const at = request.at instanceof Date && !Number.isNaN(request.at.getTime()) ? request.at : new Date();
    const provider = typeof request.provider === 'string' ? request.provider : undefined;
    for (const name of requestNames(request)) {
      const match = catalog.find(name, provider, at);
      if (match !== undefined) {
        const { entry } = match;
        return {
          model: entry.source.model,
          providers: entry.providers && [...entry.providers],
          effectiveDate: entry.effectiveDate,
          user: match.user,
          pricing: match.pricing,
        };
      }
    }
    return undefined;
  };

  return {
    find,
    tierThresholds,
    entries: entries.map((entry) => ({ price: entry.source, user: entry.user })),
    price(request) {
      const fromFn = fromPriceFn(request);
      if (fromFn !== undefined || request.usage === undefined) return fromFn;
      const found = find(request);
      if (found !== undefined) return priceUsage(found.pricing, request.usage, found.user ? USER_SOURCE : BUNDLED_SOURCE);
      const names = requestNames(request);
      const provider = typeof request.provider === 'string' ? request.provider : undefined;
      if (names.length > 0) {
        const via = provider === undefined ? '' : ` (provider ${JSON.stringify(provider)})`;
        reportOnce(
          `unknown:${provider ?? ''}:${names.join('|')}`,
          () =>
            `no price for model ${JSON.stringify(names[0])}${via}; its cost stays empty. Add it with the "prices" or "pricesFile" option.`,
        );
      }
      return undefined;
    },
  };
}

function requestNames(request: PriceRequest): string[] {
  return [request.model, request.requestModel].filter((name): name is string => typeof name === 'string' && name.trim() !== '');
}

/** A `priceFn` breakdown goes straight into Decimal columns: reject anything that would not fit. */
const COST_FIELD_NAMES = Object.keys(COST_FIELDS) as Array<keyof typeof COST_FIELDS>;

function checkedBreakdown(result: CostBreakdown): CostBreakdown {
  const checked: Partial<CostBreakdown> = { costSource: result.costSource };
  for (const field of COST_FIELD_NAMES) {
    if (!isUsdDecimal(result[field])) {
      throw new Error(
        `returned ${field} ${JSON.stringify(result[field])}, expected a decimal string such as "0.0125" with at most 9 fractional digits`,
      );
    }
    checked[field] = result[field];
  }
  if (typeof result.costSource !== 'string' || result.costSource === '') {
    throw new Error(`returned costSource ${JSON.stringify(result.costSource)}, expected a non-empty string`);
  }
  return checked as CostBreakdown;
}

function loadPricesFile(file: string): CompiledPrice[] {
  const fail = (problem: string): never => {
    throw new Error(`Cannot use prices file ${JSON.stringify(file)}: ${problem}`);
  };
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    fail(
      `it could not be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). Check the path given as pricesFile / OTEL_EXPORTER_CLICKHOUSE_PRICES_FILE.`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    fail(`it is not valid JSON (${(error as Error).message}).`);
  }
  if (!Array.isArray(data)) {
    fail('expected a JSON array of price entries such as [{"model": "my-model", "inputPerMillion": 1, "outputPerMillion": 2}].');
  }
  return (data as unknown[]).map((entry, i) => {
    try {
      return compilePrice(entry, `[${i}]`, { requireEffectiveDate: false });
    } catch (error) {
      return fail(`entry ${(error as Error).message}.`);
    }
  });
}

/** Logs each key's message once, for at most MAX_REPORTED keys. */
function onceReporter(): (key: string, message: () => string) => void {
  const reported = new Set<string>();
  return (key, message) => {
    if (reported.has(key) || reported.size >= MAX_REPORTED) return;
    reported.add(key);
    logger.warn(message());
  };
}

/**
 * `base`'s table with `overrides` put in: each override replaces the user entries for its model
 * names and wins over the bundled ones, as the same entries in a prices file would. For a
 * what-if; `priceFn` is not carried over. Throws naming `entries[i]` for an invalid entry.
 */
export function createOverriddenPricer(base: CatalogPricer, overrides: readonly unknown[]): CatalogPricer {
  const replaced = new Set(overrides.flatMap((entry, i) => compilePrice(entry, `entries[${i}]`, { requireEffectiveDate: false }).names));
  const kept = base.entries
    .filter(
      (entry) => entry.user && ![entry.price.model, ...(entry.price.aliases ?? [])].some((name) => replaced.has(normalizeModelName(name))),
    )
    .map((entry) => entry.price);
  return createPricer({ prices: [...kept, ...(overrides as ModelPrice[])] });
}
