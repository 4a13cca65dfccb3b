/**
 * createPricer options and lookup rules: unknown models, provider narrowing, user overrides,
 * priceFn, prices files and effective dates. Expected costs are computed by hand in comments.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPricer, PRICE_TABLE_VERSION, type CostBreakdown } from '../../../src/pricing/index.js';

const BUNDLED = `price_table:${PRICE_TABLE_VERSION}`;
const USER = `price_table:${PRICE_TABLE_VERSION}+user`;
const usage = { promptTokens: 1_000, completionTokens: 1_000 };

let warnings: unknown[][];
beforeEach(() => {
  warnings = [];
  const record = (...args: unknown[]) => warnings.push(args);
  const logger: DiagLogger = { error: record, warn: record, info: () => {}, debug: () => {}, verbose: () => {} };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
});
afterEach(() => diag.disable());

const dir = mkdtempSync(join(tmpdir(), 'llm-traces-pricing-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function pricesFile(name: string, content: string): string {
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

describe('unknown models', () => {
  it('returns undefined and reports the model once through diag', () => {
    const pricer = createPricer();
    for (let i = 0; i < 3; i++) {
      expect(pricer.price({ provider: 'openai', model: 'gpt-unreleased', usage })).toBeUndefined();
    }
    expect(warnings).toEqual([
      [
        'llm-traces',
        'no price for model "gpt-unreleased" (provider "openai"); its cost stays empty. Add it with the "prices" or "pricesFile" option.',
      ],
    ]);
    pricer.price({ model: 'another-model', usage });
    expect(warnings).toHaveLength(2);
  });

  it('says nothing when the call reported no usage', () => {
    expect(createPricer().price({ model: 'gpt-unreleased' })).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('falls back to the request model when the response model is unknown', () => {
    // An Azure deployment answering as "my-deployment": priced as gpt-4o-mini,
    // 1,000 x 0.15 / 1e6 + 1,000 x 0.60 / 1e6 = 0.00015 + 0.0006 = 0.00075.
    const cost = createPricer().price({ provider: 'azure.ai.openai', model: 'my-deployment', requestModel: 'gpt-4o-mini', usage });
    expect(cost?.costUsd).toBe('0.00075');
  });
});

describe('provider narrowing', () => {
  const pricer = createPricer();
  // gpt-4o: 1,000 x 2.5 / 1e6 + 1,000 x 10 / 1e6 = 0.0025 + 0.01 = 0.0125.
  it('prices a model for the providers that sell it, and without a provider', () => {
    expect(pricer.price({ provider: 'openai', model: 'gpt-4o', usage })?.costUsd).toBe('0.0125');
    expect(pricer.price({ provider: 'azure.ai.openai', model: 'gpt-4o', usage })?.costUsd).toBe('0.0125');
    expect(pricer.price({ model: 'gpt-4o', usage })?.costUsd).toBe('0.0125');
  });

  it('accepts provider spellings that normalize to a known provider', () => {
    expect(pricer.price({ provider: 'OpenAI', model: 'gpt-4o', usage })?.costUsd).toBe('0.0125');
  });

  it('does not borrow another provider price for a provider the table knows', () => {
    expect(pricer.price({ provider: 'aws.bedrock', model: 'gpt-4o', usage })).toBeUndefined();
    expect(pricer.price({ provider: 'gcp.vertex_ai', model: 'mistral-large-2512', usage })).toBeUndefined();
  });

  it('treats a provider unknown to the table (a gateway) as no narrowing', () => {
    expect(pricer.price({ provider: 'openrouter', model: 'openai/gpt-4o', usage })?.costUsd).toBe('0.0125');
  });
});

describe('user prices', () => {
  it('win over the bundled table and say so in costSource', () => {
    // 1,000 x 1 / 1e6 + 1,000 x 2 / 1e6 = 0.001 + 0.002 = 0.003.
    const pricer = createPricer({ prices: [{ model: 'gpt-4o', inputPerMillion: 1, outputPerMillion: 2 }] });
    expect(pricer.price({ provider: 'openai', model: 'gpt-4o-2024-08-06', usage })).toEqual({
      costUsd: '0.003',
      inputCostUsd: '0.001',
      cachedInputCostUsd: '0',
      cacheWriteCostUsd: '0',
      outputCostUsd: '0.002',
      costSource: USER,
    });
  });

  it('apply only to the providers they name', () => {
    // A negotiated Azure price: 1,000 x 2 / 1e6 + 1,000 x 8 / 1e6 = 0.01; OpenAI keeps 0.0125.
    const pricer = createPricer({
      prices: [{ model: 'gpt-4o', providers: ['azure.ai.openai'], inputPerMillion: 2, outputPerMillion: 8 }],
    });
    expect(pricer.price({ provider: 'azure.ai.openai', model: 'gpt-4o', usage })).toMatchObject({ costUsd: '0.01', costSource: USER });
    expect(pricer.price({ provider: 'openai', model: 'gpt-4o', usage })).toMatchObject({ costUsd: '0.0125', costSource: BUNDLED });
  });

  it('price new models and bill their cache tokens at the input rate when no cache rate is given', () => {
    // house-model, $2 in / $8 out, no cache rates: 500 read and 500 written tokens cost $2 / MTok.
    //   input  1,000 x 2 / 1e6 = 0.002;  read 500 x 2 / 1e6 = 0.001;  write 500 x 2 / 1e6 = 0.001
    //   output   100 x 8 / 1e6 = 0.0008; total 0.0048
    const pricer = createPricer({ prices: [{ model: 'house-model', inputPerMillion: 2, outputPerMillion: 8 }] });
    const cost = pricer.price({
      model: 'house-model',
      usage: { promptTokens: 2_000, cachedInputTokens: 500, cacheWriteTokens: 500, completionTokens: 100 },
    });
    expect(cost).toMatchObject({
      costUsd: '0.0048',
      inputCostUsd: '0.002',
      cachedInputCostUsd: '0.001',
      cacheWriteCostUsd: '0.001',
      outputCostUsd: '0.0008',
    });
  });

  it('reject invalid entries at creation with the field path', () => {
    expect(() => createPricer({ prices: [{ model: 'm', inputPerMillion: -1, outputPerMillion: 1 }] })).toThrow(
      'prices[0].inputPerMillion must be a number of USD per million tokens in [0, 1000000), got -1',
    );
    expect(() => createPricer({ prices: [{ model: 'm', inputPerMillion: 0.0000000001, outputPerMillion: 1 }] })).toThrow(
      'prices[0].inputPerMillion must have at most 9 decimal places, got 1e-10',
    );
  });
});

describe('prices file', () => {
  it('loads entries from a JSON array', () => {
    // 1,000 x 0.5 / 1e6 + 1,000 x 1.5 / 1e6 = 0.0005 + 0.0015 = 0.002.
    const file = pricesFile(
      'ok.json',
      JSON.stringify([{ model: 'acme-llm', providers: ['acme'], inputPerMillion: 0.5, outputPerMillion: 1.5 }]),
    );
    expect(createPricer({ pricesFile: file }).price({ provider: 'acme', model: 'acme-llm', usage })).toMatchObject({
      costUsd: '0.002',
      costSource: USER,
    });
  });

  it('names the file and the problem when the file is unusable', () => {
    const missing = join(dir, 'missing.json');
    expect(() => createPricer({ pricesFile: missing })).toThrow(
      `Cannot use prices file ${JSON.stringify(missing)}: it could not be read (ENOENT).`,
    );
    const notJson = pricesFile('not-json.json', '{"model": ');
    expect(() => createPricer({ pricesFile: notJson })).toThrow(
      `Cannot use prices file ${JSON.stringify(notJson)}: it is not valid JSON (`,
    );
    const notArray = pricesFile('object.json', '{"model": "m"}');
    expect(() => createPricer({ pricesFile: notArray })).toThrow(
      `Cannot use prices file ${JSON.stringify(notArray)}: expected a JSON array of price entries`,
    );
  });

  it('names the entry and field that is wrong', () => {
    const missingRate = pricesFile(
      'missing-rate.json',
      JSON.stringify([
        { model: 'a', inputPerMillion: 1, outputPerMillion: 1 },
        { model: 'b', inputPerMillion: 1 },
      ]),
    );
    expect(() => createPricer({ pricesFile: missingRate })).toThrow(
      `Cannot use prices file ${JSON.stringify(missingRate)}: entry [1].outputPerMillion is required.`,
    );
    const typo = pricesFile(
      'typo.json',
      JSON.stringify([{ model: 'a', inputPerMillion: 1, outputPerMillion: 1, cachedInputPerMilion: 0.1 }]),
    );
    expect(() => createPricer({ pricesFile: typo })).toThrow('entry [0] has unknown field "cachedInputPerMilion"');
    const badDate = pricesFile(
      'date.json',
      JSON.stringify([{ model: 'a', inputPerMillion: 1, outputPerMillion: 1, effectiveDate: '2026-02-30' }]),
    );
    expect(() => createPricer({ pricesFile: badDate })).toThrow(
      'entry [0].effectiveDate must be a date written YYYY-MM-DD, got "2026-02-30"',
    );
    const badTier = pricesFile(
      'tier.json',
      JSON.stringify([
        { model: 'a', inputPerMillion: 1, outputPerMillion: 1, tiers: [{ abovePromptTokens: 0, inputPerMillion: 2, outputPerMillion: 2 }] },
      ]),
    );
    expect(() => createPricer({ pricesFile: badTier })).toThrow('entry [0].tiers[0].abovePromptTokens must be a positive integer, got 0');
  });
});

describe('priceFn', () => {
  const fixed: CostBreakdown = {
    costUsd: '1.5',
    inputCostUsd: '1',
    cachedInputCostUsd: '0',
    cacheWriteCostUsd: '0',
    outputCostUsd: '0.5',
    costSource: 'contract:acme-2026',
  };

  it('wins with a finished breakdown, even over user prices', () => {
    const pricer = createPricer({ priceFn: () => fixed, prices: [{ model: 'gpt-4o', inputPerMillion: 1, outputPerMillion: 1 }] });
    expect(pricer.price({ model: 'gpt-4o', usage })).toEqual(fixed);
  });

  it('wins with rates, applied to the call usage', () => {
    // 1,000 x 3 / 1e6 + 1,000 x 4 / 1e6 = 0.003 + 0.004 = 0.007.
    const pricer = createPricer({ priceFn: (call) => (call.model === 'gpt-4o' ? { inputPerMillion: 3, outputPerMillion: 4 } : undefined) });
    expect(pricer.price({ model: 'gpt-4o', usage })).toMatchObject({ costUsd: '0.007', costSource: USER });
    // Falls through to the table for other models: gpt-4o-mini 0.00075.
    expect(pricer.price({ model: 'gpt-4o-mini', usage })).toMatchObject({ costUsd: '0.00075', costSource: BUNDLED });
  });

  it('falls back to the table, reporting once, when it throws or returns something unusable', () => {
    const throwing = createPricer({
      priceFn: () => {
        throw new Error('contract service down');
      },
    });
    expect(throwing.price({ model: 'gpt-4o', usage })?.costUsd).toBe('0.0125');
    expect(throwing.price({ model: 'gpt-4o', usage })?.costUsd).toBe('0.0125');
    expect(warnings).toEqual([['llm-traces', 'priceFn failed for model "gpt-4o", using the price table instead: contract service down']]);

    const invalid = createPricer({ priceFn: () => ({ ...fixed, costUsd: '1.5 USD' }) });
    expect(invalid.price({ model: 'gpt-4o', usage })?.costUsd).toBe('0.0125');
    expect(warnings[1]?.[1]).toContain('returned costUsd "1.5 USD", expected a decimal string');
  });
});

describe('effective dates', () => {
  const pricer = createPricer();
  const cachedCall = { model: 'claude-sonnet-5-5', usage: { promptTokens: 1_000_000, cachedInputTokens: 1_000_000 } };

  it('uses the price in effect when the call happened', () => {
    // Sonnet 5.5 cache reads: $0.20 / MTok until 2026-10-06, $0.10 from 2026-10-07.
    expect(pricer.price({ ...cachedCall, at: new Date('2026-10-06T23:59:59Z') })?.cachedInputCostUsd).toBe('0.2');
    expect(pricer.price({ ...cachedCall, at: new Date('2026-10-07T00:00:00Z') })?.cachedInputCostUsd).toBe('0.1');
  });

  it('ignores versions that are not in effect yet', () => {
    // Gemini 3.8 Flash: $0.75 input through 2026-12-31, $1.50 from 2027-01-01.
    const call = { model: 'gemini-3.8-flash', usage: { promptTokens: 1_000_000 } };
    expect(pricer.price({ ...call, at: new Date('2026-12-31T12:00:00Z') })?.costUsd).toBe('0.75');
    expect(pricer.price({ ...call, at: new Date('2027-01-01T00:00:00Z') })?.costUsd).toBe('1.5');
  });

  it('prices calls older than every version with the oldest one', () => {
    expect(pricer.price({ ...cachedCall, at: new Date('2020-01-01T00:00:00Z') })?.cachedInputCostUsd).toBe('0.2');
  });
});
