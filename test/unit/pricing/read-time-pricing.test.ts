import { describe, expect, it } from 'vitest';
import { cacheSavingsNanos, groupCostNanos } from '../../../src/pricing/group-cost.js';
import { formatSignedUsd, parseUsd } from '../../../src/pricing/money.js';
import { createOverriddenPricer, createPricer } from '../../../src/pricing/pricer.js';

const group = { provider: 'openai', model: 'my-model', requestModel: '', day: '2026-06-01', tierPromptTokens: 1000 };

describe('read-time pricing', () => {
  const pricer = createPricer({
    prices: [
      {
        model: 'my-model',
        inputPerMillion: 2,
        outputPerMillion: 8,
        cachedInputPerMillion: 0.5,
        tiers: [{ abovePromptTokens: 200_000, inputPerMillion: 4, outputPerMillion: 16 }],
      },
    ],
  });

  it('finds the entry behind a price, user entries first', () => {
    expect(pricer.find({ provider: 'openai', model: 'my-model-2026-01-01', at: new Date('2026-06-01') })).toMatchObject({
      model: 'my-model',
      user: true,
      effectiveDate: '',
    });
    expect(pricer.find({ provider: 'openai', model: 'gpt-4o' })).toMatchObject({ model: 'gpt-4o', user: false });
    expect(pricer.find({ model: 'no-such-model' })).toBeUndefined();
    expect(pricer.tierThresholds).toContain(200_000);
    expect(pricer.entries[0]).toEqual({ price: expect.objectContaining({ model: 'my-model' }), user: true });
  });

  it('prices a group of calls at the tier of its band', () => {
    const tokens = { prompt: 3000, cachedInput: 1000, cacheWrite: 0, output: 500 };
    // 2000 fresh * 2 + 1000 cached * 0.5 + 500 * 8 per million.
    expect(groupCostNanos(pricer, { ...group, tokens })).toBe(8_500_000n);
    // Above 200K the tier's rates apply; it names no cache rate, so cache reads cost its input rate.
    expect(groupCostNanos(pricer, { ...group, tierPromptTokens: 250_000, tokens })).toBe(20_000_000n);
    expect(cacheSavingsNanos(pricer, { ...group, tokens })).toBe(1_500_000n);
    expect(groupCostNanos(pricer, { ...group, model: 'unknown', tokens })).toBeUndefined();
  });

  it('overrides the entries of the same model for a what-if, and names a bad one', () => {
    const what = createOverriddenPricer(pricer, [{ model: 'my-model', inputPerMillion: 1, outputPerMillion: 1 }]);
    expect(what.find({ model: 'my-model' })!.pricing.base.input).toBe(1_000_000_000n);
    expect(what.entries.filter((entry) => entry.user)).toHaveLength(1);
    expect(pricer.find({ model: 'my-model' })!.pricing.base.input).toBe(2_000_000_000n);
    expect(() => createOverriddenPricer(pricer, [{ model: 'x', inputPerMillion: 'cheap', outputPerMillion: 1 }])).toThrow(
      /entries\[0\]\.inputPerMillion/,
    );
  });

  it('parses and formats signed amounts exactly', () => {
    expect(parseUsd('0.015300000')).toBe(15_300_000n);
    expect(parseUsd('-1.5')).toBe(-1_500_000_000n);
    expect(formatSignedUsd(-15_300_000n)).toBe('-0.0153');
    expect(() => parseUsd('1e3')).toThrow(RangeError);
  });
});
