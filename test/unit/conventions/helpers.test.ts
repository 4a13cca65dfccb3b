import { describe, expect, it } from 'vitest';
import { attributesUnder, inclusiveUsage, indexed } from '../../../src/conventions/attributes.js';
import { contextFromMetadata, mergeMetadata, metadataFromJson } from '../../../src/conventions/metadata.js';

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

describe('metadata helpers', () => {
  it('fills ids from the snake_case and camelCase well-known keys and keeps the whole map', () => {
    const metadata = {
      organization_id: 'org-1',
      projectId: 'proj-2',
      agent_id: 'agent-3',
      runId: 'run-4',
      step_id: 'step-5',
      sessionId: 'session-6',
      user_id: 'user-7',
      plan: 'pro',
    };
    expect(contextFromMetadata(metadata)).toEqual({
      metadata,
      organizationId: 'org-1',
      projectId: 'proj-2',
      agentId: 'agent-3',
      runId: 'run-4',
      stepId: 'step-5',
      conversationId: 'session-6',
      userId: 'user-7',
    });
    expect(contextFromMetadata({ conversation_id: 'c', session_id: 's' }).conversationId).toBe('c');
    expect(contextFromMetadata(undefined)).toEqual({});
  });

  it('merges maps with the earlier one winning', () => {
    expect(mergeMetadata({ a: '1' }, undefined, { a: '2', b: '3' })).toEqual({ a: '1', b: '3' });
    expect(mergeMetadata(undefined, undefined)).toBeUndefined();
  });

  it('reads a JSON object as a string map, and nothing else', () => {
    expect(metadataFromJson('{"a":"x","n":1,"o":{"k":true},"z":null}')).toEqual({ a: 'x', n: '1', o: '{"k":true}' });
    expect(metadataFromJson('["a"]')).toBeUndefined();
    expect(metadataFromJson('{"a":')).toBeUndefined();
    expect(metadataFromJson('{}')).toBeUndefined();
  });
});
