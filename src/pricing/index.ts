/** Cost in USD of LLM calls from their token usage: a bundled price table plus user overrides. */
export { createPricer } from './pricer.js';
export { BUNDLED_PRICES, PRICE_TABLE_VERSION } from './price-table.js';
export type { CostBreakdown, ModelPrice, ModelRates, PriceRequest, PriceTier, Pricer, PricingOptions, TokenRates } from './types.js';
