/**
 * The bundled price table: list prices in USD per million tokens for the current models of each
 * provider, plus the older models still commonly traced.
 *
 * Conventions:
 * - `effectiveDate` is the launch or price-change date when a source states it, otherwise the
 *   date the cited source was checked. A call older than every version of an entry is priced
 *   with the oldest one.
 * - Anthropic cache writes use the 5-minute rate (the default TTL; 1-hour writes cost more).
 *   OpenAI cache writes (GPT-5.6 and later) use the 30-minute rate.
 * - Standard (on-demand, global endpoint) rates only: batch/flex discounts, priority/fast-mode
 *   premiums, regional or data-residency surcharges (+10% on several providers), audio/image
 *   token rates and Gemini cache storage are not modeled; override with `prices` or `priceFn`.
 * - DeepSeek bills off-peak hours at half price; the table carries the peak rate.
 *
 * Sources, checked 2026-11-22 with the project's search tools:
 * - Anthropic: platform.claude.com/docs/en/about-claude/pricing and the per-model overview pages
 *   (models/opus-5-5, sonnet-5-5, haiku-5-5, opus-5, sonnet-5, sonnet-4-5); long-context
 *   rates from docs.anthropic.com/en/docs/about-claude/pricing; the Sonnet 5.5 cache-read cut of
 *   2026-10-07 and Haiku 5.5 bands from the kurofune/claudit v1.9.2 and TheKrush/PromptFuel
 *   v1.0.23 release notes, which quote that page; cache rates of the >200K tier (2x, as input)
 *   as in LiteLLM's Bedrock Claude entries.
 * - OpenAI: developers.openai.com/api/docs/models (GPT-6 Astra, GPT-5.6 Sol/Terra/Luna), LiteLLM
 *   release posts (GPT-6 Astra, GPT-6.1 Terra, GPT-6.2), docs.laozhang.ai announcements (GPT-5.6
 *   price cut of 2026-07-30, GPT-6, GPT-6.1 Sol, GPT-6.2, the >272K rule), Helicone
 *   `packages/cost/models/authors/openai/gpt-5.4/endpoints.ts`, simstudioai/sim
 *   `apps/sim/providers/models.ts` (GPT-5.4 and older, 2026-04-01).
 * - Google: ai.google.dev/gemini-api/docs/pricing as transcribed by api-evangelist/deepmind
 *   `plans/deepmind-plans-pricing.yml` (2026-10-07), Helicone `authors/google/gemini-3.1-*`,
 *   simstudioai/sim PRs #4660 and #5812 (Gemini 3.5 / 3.6 Flash, 3.5 Flash-Lite), LiteLLM
 *   discussion #39357 (Gemini 3.8 Flash promotional rate until 2026-12-31).
 * - xAI: LiteLLM discussion #42287 (Grok 4.7), docs.apiyi.com/api-capabilities/grok/overview
 *   (list prices checked against xAI on 2026-07-13).
 * - DeepSeek: api-docs.deepseek.com/quick_start/pricing (checked 2026-10-27).
 * - Mistral: margindash.com/mistral-api-pricing, braintrust-proxy issues #505 and #802 (Mistral
 *   Medium 3.5, quoting mistral.ai/pricing), pydantic/genai-prices `prices/providers/mistral.yml`.
 * - Cohere: docs.flexprice.io Cohere pricing teardown (cohere.com/pricing captured 2026-11-11),
 *   developer.puter.com Cohere pricing (June 2026), opencode.ai/data (Command A Reasoning).
 * - Amazon Bedrock (Nova): BerriAI/litellm `model_prices_and_context_window.json`. Claude on
 *   Bedrock and Vertex AI is billed at Anthropic's list price on global endpoints.
 */
import type { ModelPrice, ModelRates, PriceTier } from './types.js';

/** Goes into every `costSource` (`price_table:<version>`); bump it whenever a price changes. */
export const PRICE_TABLE_VERSION = '2026-11-22';

const ANTHROPIC = ['anthropic', 'aws.bedrock', 'gcp.vertex_ai'];
const OPENAI = ['openai', 'azure.ai.openai'];
const GOOGLE = ['gcp.gemini', 'gcp.vertex_ai', 'gcp.gen_ai'];
const XAI = ['x_ai'];
const DEEPSEEK = ['deepseek'];
const MISTRAL = ['mistral_ai'];
const COHERE = ['cohere'];
const BEDROCK = ['aws.bedrock'];

/** Entry builder for one provider list: `(model, effectiveDate, rates, aliases?)`. */
function priced(providers: readonly string[]) {
  return (model: string, effectiveDate: string, modelRates: ModelRates, aliases?: readonly string[]): ModelPrice => ({
    model,
    ...(aliases === undefined ? {} : { aliases }),
    providers,
    effectiveDate,
    ...modelRates,
  });
}
const anthropic = priced(ANTHROPIC);
const openai = priced(OPENAI);
const google = priced(GOOGLE);
const xai = priced(XAI);
const deepseek = priced(DEEPSEEK);
const mistral = priced(MISTRAL);
const cohere = priced(COHERE);
const bedrock = priced(BEDROCK);

/**
 * Anthropic's API ids use dashes (`claude-sonnet-4-5`); gateways such as OpenRouter write the
 * version with a dot (`claude-sonnet-4.5`), so each Claude entry carries both spellings.
 */
function claude(model: string, effectiveDate: string, modelRates: ModelRates, aliases: readonly string[] = []): ModelPrice {
  const dotted = model.replace(/(\d)-(\d)(?!\d)/g, '$1.$2');
  return anthropic(model, effectiveDate, modelRates, dotted === model ? aliases : [dotted, ...aliases]);
}

/** Input, cached input (cache read), cache write and output rates, then long-context tiers. */
function rates(
  input: number,
  cachedInput: number | undefined,
  cacheWrite: number | undefined,
  output: number,
  tiers?: PriceTier[],
): ModelRates {
  return {
    inputPerMillion: input,
    outputPerMillion: output,
    ...(cachedInput === undefined ? {} : { cachedInputPerMillion: cachedInput }),
    ...(cacheWrite === undefined ? {} : { cacheWritePerMillion: cacheWrite }),
    ...(tiers === undefined ? {} : { tiers }),
  };
}

/** Rates for the whole request once its prompt passes `abovePromptTokens`. */
function tier(
  abovePromptTokens: number,
  input: number,
  cachedInput: number | undefined,
  cacheWrite: number | undefined,
  output: number,
): PriceTier {
  return { abovePromptTokens, ...rates(input, cachedInput, cacheWrite, output) };
}

export const BUNDLED_PRICES: readonly ModelPrice[] = [
  // ── Anthropic ────────────────────────────────────────────────────────────────────────────
  claude('claude-fable-5-1', '2026-09-23', rates(10, 0.25, 12.5, 50)),
  claude('claude-mythos-5-1', '2026-09-23', rates(10, 0.25, 12.5, 50)),
  claude('claude-fable-5', '2026-06-10', rates(10, 1, 12.5, 50)),
  claude('claude-mythos-5', '2026-06-10', rates(10, 1, 12.5, 50)),
  claude('claude-opus-5-5', '2026-09-22', rates(4, 0.2, 5, 20)),
  claude('claude-opus-5', '2026-07-24', rates(5, 0.5, 6.25, 25)),
  claude('claude-opus-4-8', '2026-05-29', rates(5, 0.5, 6.25, 25)),
  claude('claude-opus-4-7', '2026-05-29', rates(5, 0.5, 6.25, 25)),
  claude('claude-opus-4-6', '2026-05-29', rates(5, 0.5, 6.25, 25)),
  claude('claude-opus-4-5', '2025-11-24', rates(5, 0.5, 6.25, 25)),
  claude('claude-opus-4-1', '2025-08-05', rates(15, 1.5, 18.75, 75)),
  claude('claude-opus-4', '2025-05-22', rates(15, 1.5, 18.75, 75), ['claude-opus-4-0']),
  // Sonnet 5.5 cache reads went from $0.20 to $0.10 on 2026-10-07.
  claude('claude-sonnet-5-5', '2026-09-29', rates(2, 0.2, 2.5, 10)),
  claude('claude-sonnet-5-5', '2026-10-07', rates(2, 0.1, 2.5, 10)),
  claude('claude-sonnet-5', '2026-06-30', rates(2, 0.2, 2.5, 10)),
  claude('claude-sonnet-4-6', '2026-05-29', rates(3, 0.3, 3.75, 15)),
  // Sonnet 4.5 and 4 with the 1M-context beta: the whole request doubles input past 200K tokens.
  claude('claude-sonnet-4-5', '2025-09-29', rates(3, 0.3, 3.75, 15, [tier(200_000, 6, 0.6, 7.5, 22.5)])),
  claude('claude-sonnet-4', '2025-05-22', rates(3, 0.3, 3.75, 15, [tier(200_000, 6, 0.6, 7.5, 22.5)]), ['claude-sonnet-4-0']),
  claude('claude-3-7-sonnet', '2025-02-24', rates(3, 0.3, 3.75, 15)),
  claude('claude-3-5-sonnet', '2024-10-22', rates(3, 0.3, 3.75, 15)),
  // Haiku 5.5 is priced by prompt length: over 100K tokens every rate of the request is 5x.
  claude('claude-haiku-5-5', '2026-10-07', rates(0.1, 0.01, 0.125, 0.5, [tier(100_000, 0.5, 0.05, 0.625, 2.5)])),
  claude('claude-haiku-4-5', '2025-10-15', rates(1, 0.1, 1.25, 5)),
  claude('claude-3-5-haiku', '2024-11-04', rates(0.8, 0.08, 1, 4)),
  claude('claude-3-haiku', '2024-03-13', rates(0.25, 0.03, 0.3, 1.25)),

  // ── OpenAI ───────────────────────────────────────────────────────────────────────────────
  // Models with a 1.05M context: past 272K input tokens the whole request pays 2x input and cache
  // rates and 1.5x output. Cache-write rates not printed by the sources are 1.25x input, the
  // ratio of every published one (GPT-5.6 and later).
  openai('gpt-6.2-astra', '2026-11-17', rates(8, 0.4, 10, 40, [tier(272_000, 16, 0.8, 20, 60)])),
  openai('gpt-6.2-sol', '2026-11-17', rates(2, 0.1, 2.5, 10, [tier(272_000, 4, 0.2, 5, 15)])),
  openai('gpt-6.1-terra', '2026-10-26', rates(1, 0.05, 1.25, 5, [tier(272_000, 2, 0.1, 2.5, 7.5)])),
  openai('gpt-6.1-sol', '2026-09-29', rates(2, 0.1, 2.5, 10, [tier(272_000, 4, 0.2, 5, 15)])),
  openai('gpt-6-astra', '2026-09-03', rates(10, 1, 12.5, 50, [tier(272_000, 20, 2, 25, 75)])),
  openai('gpt-6-sol', '2026-09-22', rates(2, 0.2, 2.5, 10, [tier(272_000, 4, 0.4, 5, 15)])),
  openai('gpt-6-luna', '2026-09-22', rates(0.1, 0.01, 0.125, 0.5, [tier(272_000, 0.2, 0.02, 0.25, 0.75)])),
  // GPT-5.6 launched 2026-07-09; Terra and Luna were cut on 2026-07-30. Sol's cut to $4/$20 was
  // first seen on OpenAI's models page next to GPT-6 Astra; its exact start is not published.
  openai('gpt-5.6-sol', '2026-07-09', rates(5, 0.5, 6.25, 30, [tier(272_000, 10, 1, 12.5, 45)]), ['gpt-5.6']),
  openai('gpt-5.6-sol', '2026-09-03', rates(4, 0.4, 5, 20, [tier(272_000, 8, 0.8, 10, 30)]), ['gpt-5.6']),
  openai('gpt-5.6-terra', '2026-07-09', rates(2.5, 0.25, 3.125, 15, [tier(272_000, 5, 0.5, 6.25, 22.5)])),
  openai('gpt-5.6-terra', '2026-07-30', rates(2, 0.2, 2.5, 12, [tier(272_000, 4, 0.4, 5, 18)])),
  openai('gpt-5.6-luna', '2026-07-09', rates(1, 0.1, 1.25, 6, [tier(272_000, 2, 0.2, 2.5, 9)])),
  openai('gpt-5.6-luna', '2026-07-30', rates(0.2, 0.02, 0.25, 1.2, [tier(272_000, 0.4, 0.04, 0.5, 1.8)])),
  openai('gpt-5.5', '2026-06-04', rates(5, 0.5, undefined, 30, [tier(272_000, 10, 1, undefined, 45)])),
  openai('gpt-5.4', '2026-03-05', rates(2.5, 0.25, undefined, 15, [tier(272_000, 5, 0.5, undefined, 22.5)])),
  openai('gpt-5.4-mini', '2026-04-01', rates(0.75, 0.075, undefined, 4.5)),
  openai('gpt-5.4-nano', '2026-04-01', rates(0.2, 0.02, undefined, 1.25)),
  openai('gpt-5.3-codex', '2026-06-04', rates(1.75, 0.175, undefined, 14)),
  openai('gpt-5.2', '2026-04-01', rates(1.75, 0.175, undefined, 14)),
  openai('gpt-5.1', '2026-04-01', rates(1.25, 0.125, undefined, 10)),
  openai('gpt-5', '2026-04-01', rates(1.25, 0.125, undefined, 10)),
  openai('gpt-5-mini', '2026-04-01', rates(0.25, 0.025, undefined, 2)),
  openai('gpt-5-nano', '2026-04-01', rates(0.05, 0.005, undefined, 0.4)),
  openai('gpt-4.1', '2026-04-01', rates(2, 0.5, undefined, 8)),
  openai('gpt-4.1-mini', '2026-04-01', rates(0.4, 0.1, undefined, 1.6)),
  openai('gpt-4.1-nano', '2026-04-01', rates(0.1, 0.025, undefined, 0.4)),
  openai('gpt-4o', '2026-04-01', rates(2.5, 1.25, undefined, 10)),
  // The first GPT-4o snapshot kept its launch price (pydantic/genai-prices openai.yml).
  openai('gpt-4o-2024-05-13', '2024-05-13', rates(5, undefined, undefined, 15)),
  openai('gpt-4o-mini', '2026-04-01', rates(0.15, 0.075, undefined, 0.6)),
  openai('o4-mini', '2026-04-01', rates(1.1, 0.275, undefined, 4.4)),
  openai('o3', '2026-04-01', rates(2, 0.5, undefined, 8)),
  openai('o3-mini', '2026-04-01', rates(1.1, 0.55, undefined, 4.4)),
  openai('o1', '2026-04-01', rates(15, 7.5, undefined, 60)),

  // ── Google Gemini (Gemini API and Vertex AI, global endpoint) ──────────────────────────────
  // Gemini 3.6-3.8 Flash run at a promotional rate through 2026-12-31 and double on 2027-01-01.
  // 3.6 Flash launched at the full rate; the promotion was first seen on 2026-09-30.
  google('gemini-3.8-flash', '2026-09-20', rates(0.75, 0.075, undefined, 3.75)),
  google('gemini-3.8-flash', '2027-01-01', rates(1.5, 0.15, undefined, 7.5)),
  google('gemini-3.7-flash', '2026-08-13', rates(0.75, 0.075, undefined, 3.75)),
  google('gemini-3.7-flash', '2027-01-01', rates(1.5, 0.15, undefined, 7.5)),
  google('gemini-3.6-flash', '2026-07-21', rates(1.5, 0.15, undefined, 7.5)),
  google('gemini-3.6-flash', '2026-09-30', rates(0.75, 0.075, undefined, 3.75)),
  google('gemini-3.6-flash', '2027-01-01', rates(1.5, 0.15, undefined, 7.5)),
  google('gemini-3.5-flash', '2026-05-19', rates(1.5, 0.15, undefined, 9)),
  google('gemini-3.5-flash-lite', '2026-07-21', rates(0.3, 0.03, undefined, 2.5)),
  google('gemini-3.1-pro', '2026-02-19', rates(2, 0.2, undefined, 12, [tier(200_000, 4, 0.4, undefined, 18)])),
  google('gemini-3.1-flash-lite', '2026-04-19', rates(0.25, 0.025, undefined, 1.5)),
  google('gemini-3-flash', '2026-07-04', rates(0.5, 0.05, undefined, 3)),
  // Gemini 2.5 cache reads are 10% of input (90% discount, Google pricing page via deploybase.ai, March 2026).
  google('gemini-2.5-pro', '2026-10-07', rates(1.25, 0.125, undefined, 10, [tier(200_000, 2.5, 0.25, undefined, 15)])),
  google('gemini-2.5-flash', '2026-10-07', rates(0.3, 0.03, undefined, 2.5)),
  google('gemini-2.5-flash-lite', '2026-10-07', rates(0.1, 0.01, undefined, 0.4)),

  // ── xAI ──────────────────────────────────────────────────────────────────────────────────
  xai('grok-4.7', '2026-09-21', rates(2, 0.5, undefined, 6, [tier(200_000, 4, 1, undefined, 12)])),
  xai('grok-4.6', '2026-09-21', rates(2, 0.5, undefined, 6, [tier(200_000, 4, 1, undefined, 12)])),
  xai('grok-4.5', '2026-07-08', rates(2, 0.5, undefined, 6, [tier(200_000, 4, 1, undefined, 12)])),
  xai('grok-4.3', '2026-07-13', rates(1.25, undefined, undefined, 2.5)),
  xai('grok-4.20', '2026-07-13', rates(1.25, undefined, undefined, 2.5), [
    'grok-4.20-reasoning',
    'grok-4.20-non-reasoning',
    'grok-4.20-0309-reasoning',
    'grok-4.20-0309-non-reasoning',
  ]),
  xai('grok-build-0.1', '2026-07-13', rates(1, undefined, undefined, 2)),

  // ── DeepSeek (peak rates) ──────────────────────────────────────────────────────────────────
  // The legacy names are served by the current Flash model and billed at its price.
  deepseek('deepseek-flash', '2026-10-27', rates(0.3, 0.006, undefined, 1.2), ['deepseek-v4-flash', 'deepseek-chat', 'deepseek-reasoner']),
  deepseek('deepseek-v4-pro', '2026-08-16', rates(1.32, 0.044, undefined, 3.96)),

  // ── Mistral AI ─────────────────────────────────────────────────────────────────────────────
  mistral('mistral-large-2512', '2025-12-02', rates(0.5, undefined, undefined, 1.5), ['mistral-large-latest', 'mistral-large-3']),
  mistral('mistral-large-2411', '2025-07-04', rates(2, undefined, undefined, 6), ['mistral-large-2407']),
  // `mistral-medium-latest` and `mistral-medium-3` resolve to Medium 3.5 since 2026-05-22.
  mistral('mistral-medium-3.5', '2026-04-28', rates(1.5, undefined, undefined, 7.5), [
    'mistral-medium-3-5',
    'mistral-medium-latest',
    'mistral-medium-3',
  ]),
  mistral('mistral-medium-2505', '2025-07-04', rates(0.4, undefined, undefined, 2), ['mistral-medium-2508']),
  mistral('mistral-small-2603', '2026-03-16', rates(0.15, undefined, undefined, 0.6), ['mistral-small-latest', 'mistral-small-4']),
  mistral('mistral-small-2506', '2025-07-04', rates(0.1, undefined, undefined, 0.3), ['mistral-small-2503']),
  mistral('magistral-medium', '2025-07-04', rates(2, undefined, undefined, 5)),
  mistral('magistral-small', '2025-07-04', rates(0.5, undefined, undefined, 1.5)),
  mistral('codestral', '2025-07-04', rates(0.3, undefined, undefined, 0.9)),

  // ── Cohere ─────────────────────────────────────────────────────────────────────────────────
  cohere('command-a', '2025-03-13', rates(2.5, undefined, undefined, 10)),
  cohere('command-a-reasoning', '2025-08-21', rates(2.5, undefined, undefined, 10)),
  cohere('command-r-plus', '2026-06-01', rates(2.5, undefined, undefined, 10)),
  cohere('command-r', '2026-11-11', rates(0.15, undefined, undefined, 0.6)),
  cohere('command-r7b', '2026-06-01', rates(0.0375, undefined, undefined, 0.15)),

  // ── Amazon Bedrock native models ───────────────────────────────────────────────────────────
  bedrock('nova-2-lite', '2025-12-02', rates(0.3, 0.075, undefined, 2.5)),
  bedrock('nova-pro', '2024-12-03', rates(0.8, undefined, undefined, 3.2)),
  bedrock('nova-lite', '2024-12-03', rates(0.06, undefined, undefined, 0.24)),
  bedrock('nova-micro', '2024-12-03', rates(0.035, undefined, undefined, 0.14)),
];
