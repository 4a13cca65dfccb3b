import { describe, expect, it } from 'vitest';
import { attributesUnder, inclusiveUsage, indexed } from '../../../src/conventions/attributes.js';

describe('inclusiveUsage', () => {
  it('keeps inclusive counts and the reported total', () => {
    expect(inclusiveUsage({ input: 1200, output: 300, total: 1500, cacheRead: 1000, reasoning: 120 })).toEqual({
      promptTokens: 1200,
      completionTokens: 300,
      totalTokens: 1500,
      cachedInputTokens: 1000,
      cacheWriteTokens: undefined,
      reasoningTokens: 120,
    });
  });

  it('adds cache and reasoning the emitter is known to leave out, and recomputes the total', () => {
    const usage = inclusiveUsage(
      { input: 5000, output: 50, total: 5050, cacheRead: 1000, cacheWrite: 300, reasoning: 70 },
      { inputExcludesCache: true, outputExcludesReasoning: true },
    );
    expect(usage).toMatchObject({ promptTokens: 6300, completionTokens: 120, totalTokens: 6420 });
  });

  it('adds them when the counts evidently exclude them, without being told', () => {
    expect(inclusiveUsage({ input: 200, output: 10, total: 210, cacheRead: 1000, cacheWrite: 300 })).toMatchObject({
      promptTokens: 1500,
      totalTokens: 1510,
    });
    expect(inclusiveUsage({ input: 100, output: 50, reasoning: 70 })).toMatchObject({ completionTokens: 120, totalTokens: 220 });
  });

  it('is undefined when nothing was reported, and sums what was when there is no total', () => {
    expect(inclusiveUsage({ cacheRead: 5 })).toBeUndefined();
    expect(inclusiveUsage({ input: 7 })).toMatchObject({ promptTokens: 7, completionTokens: undefined, totalTokens: 7 });
  });
});

describe('indexed', () => {
  it('groups flattened list attributes in index order, skipping keys that are not list items', () => {
    const groups = indexed(
      {
        'gen_ai.prompt.10.role': 'user',
        'gen_ai.prompt.2.role': 'assistant',
        'gen_ai.prompt.2.content': 'Hi',
        'gen_ai.prompt.name': 'template',
        'gen_ai.prompt.x.role': 'bad',
        'gen_ai.completion.0.role': 'assistant',
      },
      'gen_ai.prompt.',
    );
    expect(groups).toEqual([{ role: 'assistant', content: 'Hi' }, { role: 'user' }]);
  });
});

describe('attributesUnder', () => {
  it('keeps the recorded values and drops empty ones', () => {
    expect(
      attributesUnder(
        { 'ai.settings.maxRetries': 0, 'ai.settings.stop': ['x'], 'ai.settings.seed': undefined, 'ai.other': 1 },
        'ai.settings.',
      ),
    ).toEqual({
      maxRetries: 0,
      stop: ['x'],
    });
    expect(attributesUnder({}, 'ai.settings.')).toBeUndefined();
  });
});
