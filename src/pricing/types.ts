/**
 * Public types of the pricing module: price entries (bundled or user supplied), the request a
 * pricer answers, and the cost it returns. Rates are USD per million tokens, as providers publish.
 */
import type { CostField } from '../model/fields.js';
import type { TokenUsage } from '../model/llm-call.js';

/** USD per million tokens, at most 9 decimal places. */
export interface TokenRates {
  /** Fresh (uncached) input tokens. */
  inputPerMillion: number;
  /** Output tokens, reasoning/thinking tokens included. */
  outputPerMillion: number;
  /** Prompt-cache reads. Absent: cache reads are billed at the input rate. */
  cachedInputPerMillion?: number;
  /** Prompt-cache writes. Absent: cache writes are billed at the input rate. */
  cacheWritePerMillion?: number;
}

/** Rates that replace the base rates for a whole call whose promptTokens exceed the threshold. */
export interface PriceTier extends TokenRates {
  abovePromptTokens: number;
}

export interface ModelRates extends TokenRates {
  /** Long-context tiers; the highest threshold below the call's promptTokens applies. */
  tiers?: readonly PriceTier[];
}

export interface ModelPrice extends ModelRates {
  /**
   * Model name as the provider's API spells it (`gpt-4o`, `claude-sonnet-4-5`). It also prices
   * dated snapshots and versioned ids of that model (`gpt-4o-2024-08-06`, `...-latest`,
   * `...-preview`, Bedrock `...-v1:0`), but not other models that share the prefix (`gpt-4o-mini`).
   */
  model: string;
  /** Other names of the same model (`claude-sonnet-4.5` on OpenRouter). */
  aliases?: readonly string[];
  /**
   * `gen_ai.provider.name` values that sell the model at these rates (`openai`, `aws.bedrock`).
   * Absent: any provider.
   */
  providers?: readonly string[];
  /** YYYY-MM-DD the rates apply from. Required in the bundled table, optional for user entries. */
  effectiveDate?: string;
}

/**
 * Costs in USD (model/fields.ts) as decimal strings with at most 9 fractional digits (ClickHouse
 * `Decimal(18, 9)`); `costUsd` is the sum of the others.
 */
export type CostBreakdown = { [K in CostField]: string } & {
  /** Where the numbers came from: `price_table:<version>`, `price_table:<version>+user`, ... */
  costSource: string;
};

/** What a pricer needs from an LLM call. An `LlmCall` satisfies it. */
export interface PriceRequest {
  /** Normalized `gen_ai.provider.name`; narrows the match when the table knows the provider. */
  provider?: string;
  /** The model that answered. */
  model?: string;
  /** Consulted when `model` has no price (an Azure deployment name answering as itself). */
  requestModel?: string;
  /** Inclusive token counts (see `TokenUsage`). */
  usage?: TokenUsage;
  /** When the call happened; picks the entry in effect then. Defaults to now. */
  at?: Date;
}

export interface PricingOptions {
  /** Entries that override or extend the bundled table; they win over bundled entries. */
  prices?: readonly ModelPrice[];
  /** Path of a JSON file holding an array of `ModelPrice` entries, read once by `createPricer`. */
  pricesFile?: string;
  /**
   * Consulted before any table. Return a finished `CostBreakdown`, rates to apply to this call, or
   * `undefined` to fall through to the tables. Errors and invalid results are reported through
   * `diag` and fall through too.
   */
  priceFn?: (request: PriceRequest) => CostBreakdown | ModelRates | undefined;
}

export interface Pricer {
  /** The cost of one call, or `undefined` when the model has no price or the call reported no usage. */
  price(request: PriceRequest): CostBreakdown | undefined;
}
