/** Integrity of the bundled table: every entry valid, dated, unambiguous, every provider covered. */
import { describe, expect, it } from 'vitest';
import { BUNDLED_PRICES, createPricer, PRICE_TABLE_VERSION } from '../../../src/pricing/index.js';
import { compilePrice } from '../../../src/pricing/price-entries.js';

describe('bundled price table', () => {
  it('has a dated version', () => {
    expect(PRICE_TABLE_VERSION).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('holds only valid entries, each with an effective date and providers', () => {
    BUNDLED_PRICES.forEach((entry, i) => {
      expect(() => compilePrice(entry, `BUNDLED_PRICES[${i}]`, { requireEffectiveDate: true })).not.toThrow();
      expect(entry.providers?.length, entry.model).toBeGreaterThan(0);
    });
  });

  it('never gives one name two prices for the same provider and date', () => {
    const seen = new Map<string, string>();
    BUNDLED_PRICES.forEach((entry, i) => {
      const compiled = compilePrice(entry, `BUNDLED_PRICES[${i}]`, { requireEffectiveDate: true });
      for (const name of compiled.names) {
        for (const provider of compiled.providers ?? []) {
          const key = `${name}|${provider}|${compiled.effectiveDate}`;
          expect(seen.get(key), `${key} is also priced by ${seen.get(key)}`).toBeUndefined();
          seen.set(key, entry.model);
        }
      }
    });
  });

  it.each([
    // [provider, model, expected cost of 1,000 prompt + 1,000 completion tokens, computed by hand]
    ['openai', 'gpt-6.1-sol', '0.012'], // 1,000 x 2 / 1e6 + 1,000 x 10 / 1e6
    ['anthropic', 'claude-opus-5-5', '0.024'], // 1,000 x 4 / 1e6 + 1,000 x 20 / 1e6
    ['gcp.gemini', 'gemini-3.1-pro-preview', '0.014'], // 1,000 x 2 / 1e6 + 1,000 x 12 / 1e6
    ['aws.bedrock', 'us.amazon.nova-2-lite-v1:0', '0.0028'], // 1,000 x 0.3 / 1e6 + 1,000 x 2.5 / 1e6
    ['mistral_ai', 'mistral-medium-latest', '0.009'], // 1,000 x 1.5 / 1e6 + 1,000 x 7.5 / 1e6
    ['deepseek', 'deepseek-v4-pro', '0.00528'], // 1,000 x 1.32 / 1e6 + 1,000 x 3.96 / 1e6
    ['x_ai', 'grok-4.7', '0.008'], // 1,000 x 2 / 1e6 + 1,000 x 6 / 1e6
    ['cohere', 'command-a-03-2025', '0.0125'], // 1,000 x 2.5 / 1e6 + 1,000 x 10 / 1e6
  ])('prices %s %s', (provider, model, costUsd) => {
    expect(createPricer().price({ provider, model, usage: { promptTokens: 1_000, completionTokens: 1_000 } })?.costUsd).toBe(costUsd);
  });
});
