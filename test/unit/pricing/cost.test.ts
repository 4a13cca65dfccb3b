/**
 * Cost arithmetic against the bundled table, with every expected amount computed by hand.
 * Rates are USD per million tokens (MTok); usage is inclusive, as `TokenUsage` documents.
 */
import { describe, expect, it } from 'vitest';
import { createPricer, PRICE_TABLE_VERSION } from '../../../src/pricing/index.js';

const pricer = createPricer();
const source = `price_table:${PRICE_TABLE_VERSION}`;

describe('cache semantics', () => {
  it('prices an Anthropic call with cache reads and writes, each bucket once', () => {
    // claude-sonnet-4-5: input $3, cache read $0.30, cache write (5m) $3.75, output $15 per MTok.
    // promptTokens 12,000 includes 8,000 read + 3,000 written, so fresh input = 1,000.
    //   input       1,000 x 3    / 1e6 = 0.003
    //   cache read  8,000 x 0.30 / 1e6 = 0.0024
    //   cache write 3,000 x 3.75 / 1e6 = 0.01125
    //   output        500 x 15   / 1e6 = 0.0075
    //   total                          = 0.02415
    const cost = pricer.price({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      usage: { promptTokens: 12_000, cachedInputTokens: 8_000, cacheWriteTokens: 3_000, completionTokens: 500 },
    });
    expect(cost).toEqual({
      costUsd: '0.02415',
      inputCostUsd: '0.003',
      cachedInputCostUsd: '0.0024',
      cacheWriteCostUsd: '0.01125',
      outputCostUsd: '0.0075',
      costSource: source,
    });
  });

  it('prices an OpenAI call whose prompt_tokens include cached tokens', () => {
    // gpt-4o: input $2.50, cached $1.25, output $10 per MTok. 2,000 prompt = 464 fresh + 1,536 cached.
    //   input    464 x 2.5  / 1e6 = 0.00116
    //   cached 1,536 x 1.25 / 1e6 = 0.00192
    //   output   300 x 10   / 1e6 = 0.003
    //   total                     = 0.00608
    const cost = pricer.price({
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      usage: { promptTokens: 2_000, cachedInputTokens: 1_536, completionTokens: 300 },
    });
    expect(cost).toMatchObject({
      costUsd: '0.00608',
      inputCostUsd: '0.00116',
      cachedInputCostUsd: '0.00192',
      cacheWriteCostUsd: '0',
      outputCostUsd: '0.003',
    });
  });

  it('bills cache writes at the input rate when the model publishes no write price', () => {
    // gpt-5.4 has no cache-write rate: 1,000 written tokens cost the $2.50 input rate.
    //   input  (3,000 - 1,000 - 1,000) x 2.5 / 1e6 = 0.0025
    //   cached  1,000 x 0.25 / 1e6               = 0.00025
    //   write   1,000 x 2.5  / 1e6               = 0.0025
    //   total                                   = 0.00525
    const cost = pricer.price({
      model: 'gpt-5.4',
      usage: { promptTokens: 3_000, cachedInputTokens: 1_000, cacheWriteTokens: 1_000, completionTokens: 0 },
    });
    expect(cost).toMatchObject({ costUsd: '0.00525', inputCostUsd: '0.0025', cachedInputCostUsd: '0.00025', cacheWriteCostUsd: '0.0025' });
  });

  it('floors fresh input at zero when the cache buckets exceed the prompt', () => {
    // claude-haiku-4-5: prompt 100 < 80 read + 50 written. Input 0; read 80 x 0.10 / 1e6 = 0.000008;
    // write 50 x 1.25 / 1e6 = 0.0000625; total 0.0000705.
    const cost = pricer.price({
      model: 'claude-haiku-4-5',
      usage: { promptTokens: 100, cachedInputTokens: 80, cacheWriteTokens: 50 },
    });
    expect(cost).toMatchObject({ costUsd: '0.0000705', inputCostUsd: '0', cachedInputCostUsd: '0.000008', cacheWriteCostUsd: '0.0000625' });
  });
});

describe('reasoning and thinking tokens', () => {
  it('prices o-series reasoning tokens once, as part of completionTokens', () => {
    // o4-mini: input $1.10, output $4.40 per MTok. completion 5,000 already contains 4,200 reasoning.
    //   input  1,000 x 1.1 / 1e6 = 0.0011
    //   output 5,000 x 4.4 / 1e6 = 0.022   (adding reasoning again would give 0.04048)
    //   total                    = 0.0231
    const cost = pricer.price({
      model: 'o4-mini-2025-04-16',
      usage: { promptTokens: 1_000, completionTokens: 5_000, reasoningTokens: 4_200 },
    });
    expect(cost).toMatchObject({ costUsd: '0.0231', inputCostUsd: '0.0011', outputCostUsd: '0.022' });
  });

  it('prices a cached gpt-5 call with reasoning', () => {
    // gpt-5: input $1.25, cached $0.125, output $10 per MTok.
    //   input  4,000 x 1.25  / 1e6 = 0.005
    //   cached 6,000 x 0.125 / 1e6 = 0.00075
    //   output 2,000 x 10    / 1e6 = 0.02   (1,500 of it reasoning)
    //   total                      = 0.02575
    const cost = pricer.price({
      provider: 'openai',
      model: 'gpt-5-2025-08-07',
      usage: { promptTokens: 10_000, cachedInputTokens: 6_000, completionTokens: 2_000, reasoningTokens: 1_500 },
    });
    expect(cost).toMatchObject({ costUsd: '0.02575', inputCostUsd: '0.005', cachedInputCostUsd: '0.00075', outputCostUsd: '0.02' });
  });

  it('prices Gemini thinking tokens at the output rate', () => {
    // gemini-3.5-flash: input $1.50, output $9 per MTok (output includes thinking).
    //   input  1,200 x 1.5 / 1e6 = 0.0018
    //   output   800 x 9   / 1e6 = 0.0072  (650 of it thinking)
    //   total                    = 0.009
    const cost = pricer.price({
      provider: 'gcp.gemini',
      model: 'models/gemini-3.5-flash',
      usage: { promptTokens: 1_200, completionTokens: 800, reasoningTokens: 650 },
    });
    expect(cost).toMatchObject({ costUsd: '0.009', inputCostUsd: '0.0018', outputCostUsd: '0.0072' });
  });
});

describe('long-context tiers', () => {
  it('switches every Claude Sonnet 4.5 rate once the prompt passes 200K tokens', () => {
    // Tier > 200K: input $6, cache read $0.60, output $22.50 per MTok. The 250,000-token prompt
    // (200,000 of it cached) selects the tier even though only 50,000 tokens are fresh.
    //   input   50,000 x 6    / 1e6 = 0.3
    //   cached 200,000 x 0.6  / 1e6 = 0.12
    //   output   1,000 x 22.5 / 1e6 = 0.0225
    //   total                       = 0.4425
    const cost = pricer.price({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      usage: { promptTokens: 250_000, cachedInputTokens: 200_000, completionTokens: 1_000 },
    });
    expect(cost).toMatchObject({ costUsd: '0.4425', inputCostUsd: '0.3', cachedInputCostUsd: '0.12', outputCostUsd: '0.0225' });
  });

  it('keeps base rates at exactly 200K tokens and tiers from 200,001', () => {
    // At 200,000: 200,000 x 3 / 1e6 = 0.6; 1,000 x 15 / 1e6 = 0.015; total 0.615.
    // At 200,001: 200,001 x 6 / 1e6 = 1.200006; 1,000 x 22.5 / 1e6 = 0.0225; total 1.222506.
    const at = (promptTokens: number) =>
      pricer.price({ model: 'claude-sonnet-4-5', usage: { promptTokens, completionTokens: 1_000 } })?.costUsd;
    expect(at(200_000)).toBe('0.615');
    expect(at(200_001)).toBe('1.222506');
  });

  it('applies the Gemini 2.5 Pro tier above 200K prompt tokens', () => {
    // > 200K: input $2.50, output $15 per MTok.
    //   input  300,000 x 2.5 / 1e6 = 0.75
    //   output  10,000 x 15  / 1e6 = 0.15
    //   total                      = 0.9
    const cost = pricer.price({
      provider: 'gcp.vertex_ai',
      model: 'gemini-2.5-pro',
      usage: { promptTokens: 300_000, completionTokens: 10_000 },
    });
    expect(cost).toMatchObject({ costUsd: '0.9', inputCostUsd: '0.75', outputCostUsd: '0.15' });
  });

  it('applies the Claude Haiku 5.5 band above 100K tokens to every bucket', () => {
    // > 100K: input $0.50, read $0.05, write $0.625, output $2.50 per MTok.
    //   input  30,000 x 0.5   / 1e6 = 0.015
    //   read  100,000 x 0.05  / 1e6 = 0.005
    //   write  20,000 x 0.625 / 1e6 = 0.0125
    //   output  2,000 x 2.5   / 1e6 = 0.005
    //   total                       = 0.0375
    const cost = pricer.price({
      model: 'claude-haiku-5-5',
      usage: { promptTokens: 150_000, cachedInputTokens: 100_000, cacheWriteTokens: 20_000, completionTokens: 2_000 },
    });
    expect(cost).toMatchObject({
      costUsd: '0.0375',
      inputCostUsd: '0.015',
      cachedInputCostUsd: '0.005',
      cacheWriteCostUsd: '0.0125',
      outputCostUsd: '0.005',
    });
  });
});

describe('exact decimals', () => {
  it('adds small amounts without floating-point drift', () => {
    // gpt-4.1-nano: 3 x 0.1 / 1e6 = 0.0000003 and 7 x 0.4 / 1e6 = 0.0000028; total 0.0000031.
    // (In float, 3 * 0.1e-6 + 7 * 0.4e-6 is 3.0999999999999995e-6.)
    const cost = pricer.price({ model: 'gpt-4.1-nano', usage: { promptTokens: 3, completionTokens: 7 } });
    expect(cost).toMatchObject({ costUsd: '0.0000031', inputCostUsd: '0.0000003', outputCostUsd: '0.0000028' });
  });

  it('rounds each component half up to a nano-dollar and sums the rounded components', () => {
    // command-r7b: 1 x 0.0375 / 1e6 = 0.0000000375 -> 0.000000038; 1 x 0.15 / 1e6 = 0.00000015.
    const cost = pricer.price({ model: 'command-r7b-12-2024', usage: { promptTokens: 1, completionTokens: 1 } });
    expect(cost).toMatchObject({ inputCostUsd: '0.000000038', outputCostUsd: '0.00000015', costUsd: '0.000000188' });
  });

  it('writes whole dollars without a fraction', () => {
    // gpt-6-astra: 100,000 x 10 / 1e6 = 1; 20,000 x 50 / 1e6 = 1; total 2.
    const cost = pricer.price({ model: 'gpt-6-astra', usage: { promptTokens: 100_000, completionTokens: 20_000 } });
    expect(cost).toMatchObject({ costUsd: '2', inputCostUsd: '1', outputCostUsd: '1' });
  });
});

describe('missing usage', () => {
  it('returns undefined without usage or without any token count', () => {
    expect(pricer.price({ model: 'gpt-4o' })).toBeUndefined();
    expect(pricer.price({ model: 'gpt-4o', usage: {} })).toBeUndefined();
    expect(pricer.price({ model: 'gpt-4o', usage: { totalTokens: 10 } })).toBeUndefined();
  });

  it('prices the counts that were reported', () => {
    // gpt-4o, completion only: 100 x 10 / 1e6 = 0.001.
    expect(pricer.price({ model: 'gpt-4o', usage: { completionTokens: 100 } })?.costUsd).toBe('0.001');
  });
});
