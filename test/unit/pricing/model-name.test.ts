import { describe, expect, it } from 'vitest';
import { matchLength, normalizeModelName } from '../../../src/pricing/model-name.js';
import { createPricer } from '../../../src/pricing/index.js';

describe('normalizeModelName', () => {
  it.each([
    ['gpt-4o-2024-08-06', 'gpt-4o-2024-08-06'],
    ['  GPT-4o ', 'gpt-4o'],
    ['openai/gpt-4.1-mini', 'gpt-4.1-mini'],
    ['anthropic/claude-sonnet-4-5', 'claude-sonnet-4-5'],
    ['models/gemini-2.5-pro', 'gemini-2.5-pro'],
    ['projects/p/locations/global/publishers/google/models/gemini-3.5-flash', 'gemini-3.5-flash'],
    ['us.anthropic.claude-3-5-sonnet-20241022-v2:0', 'claude-3-5-sonnet-20241022'],
    ['anthropic.claude-haiku-4-5-20251001-v1:0', 'claude-haiku-4-5-20251001'],
    ['global.anthropic.claude-sonnet-5-5', 'claude-sonnet-5-5'],
    ['arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0', 'nova-pro'],
    ['claude-sonnet-4-5@20250929', 'claude-sonnet-4-5'],
    ['claude-opus-4-6[1m]', 'claude-opus-4-6'],
  ])('%s -> %s', (raw, normalized) => {
    expect(normalizeModelName(raw)).toBe(normalized);
  });
});

describe('matchLength', () => {
  it('accepts the name itself and dated or versioned snapshots of it', () => {
    for (const name of ['gpt-4o', 'gpt-4o-2024-08-06', 'gpt-4o-latest', 'gpt-4o-preview', 'gpt-4o-v2', 'gpt-4o-0613']) {
      expect(matchLength('gpt-4o', name), name).toBe('gpt-4o'.length);
    }
  });

  it('rejects other models that share the prefix', () => {
    for (const name of ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-4o-realtime-preview', 'gpt-4oo', 'gpt-4']) {
      expect(matchLength('gpt-4o', name), name).toBe(0);
    }
    // A single digit is a new version, not a snapshot: Opus 4.1 is not Opus 4.
    expect(matchLength('claude-opus-4', 'claude-opus-4-1')).toBe(0);
    expect(matchLength('claude-opus-4', 'claude-opus-4-20250514')).toBe('claude-opus-4'.length);
  });
});

describe('model names reaching the pricer', () => {
  const pricer = createPricer();
  // 100K tokens each way: below every long-context threshold.
  const usage = { promptTokens: 100_000, completionTokens: 100_000 };
  const total = (model: string, provider?: string) => pricer.price({ model, provider, usage })?.costUsd;

  it('prices dated snapshots like the base model', () => {
    // gpt-4o: 0.1M x $2.50 + 0.1M x $10 = 0.25 + 1 = 1.25.
    expect(total('gpt-4o')).toBe('1.25');
    expect(total('gpt-4o-2024-08-06')).toBe('1.25');
    // claude-sonnet-4-5: 0.1M x $3 + 0.1M x $15 = 0.3 + 1.5 = 1.8.
    expect(total('claude-sonnet-4-5-20250929')).toBe('1.8');
  });

  it('lets the longest name win', () => {
    // gpt-4o-mini: 0.1M x $0.15 + 0.1M x $0.60 = 0.015 + 0.06 = 0.075, never gpt-4o's 1.25.
    expect(total('gpt-4o-mini-2024-07-18')).toBe('0.075');
    // The first GPT-4o snapshot has its own, older price: 0.1M x $5 + 0.1M x $15 = 2.
    expect(total('gpt-4o-2024-05-13')).toBe('2');
    // gpt-4.1-mini (0.04 + 0.16 = 0.2) is not gpt-4.1 (0.2 + 0.8 = 1).
    expect(total('openai/gpt-4.1-mini')).toBe('0.2');
    expect(total('gpt-4.1')).toBe('1');
  });

  it('prices provider-prefixed and gateway spellings like the plain id', () => {
    expect(total('anthropic/claude-sonnet-4-5', 'openrouter')).toBe('1.8');
    expect(total('anthropic/claude-sonnet-4.5', 'openrouter')).toBe('1.8');
    // gemini-2.5-pro: 0.1M x $1.25 + 0.1M x $10 = 0.125 + 1 = 1.125.
    expect(total('models/gemini-2.5-pro', 'gcp.gemini')).toBe('1.125');
  });

  it('prices Bedrock ids and inference profiles', () => {
    // claude-3-5-sonnet: 0.3 + 1.5 = 1.8; claude-haiku-4-5: 0.1 + 0.5 = 0.6; Nova Pro: 0.08 + 0.32 = 0.4.
    expect(total('us.anthropic.claude-3-5-sonnet-20241022-v2:0', 'aws.bedrock')).toBe('1.8');
    expect(total('anthropic.claude-haiku-4-5-20251001-v1:0', 'aws.bedrock')).toBe('0.6');
    expect(total('amazon.nova-pro-v1:0', 'aws.bedrock')).toBe('0.4');
  });

  it('leaves unknown variants unpriced instead of borrowing a neighbour price', () => {
    expect(total('gpt-4o-realtime-preview')).toBeUndefined();
    expect(total('claude-opus-4-9')).toBeUndefined();
    expect(total('ft:gpt-4o-2024-08-06:acme::abc123')).toBeUndefined();
  });
});
