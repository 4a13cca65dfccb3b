import { describe, expect, it } from 'vitest';
import { contextFromMetadata, mergeMetadata, metadataFromJson } from '../../../src/conventions/metadata.js';

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
