import type { LlmCall } from './llm-call.js';

/** Field-wise merge: the first defined value wins; metadata maps merge with the same rule per key. */
export function mergeCalls(calls: LlmCall[]): LlmCall {
  const merged: LlmCall = {};
  for (const call of calls) {
    for (const key in call) {
      const field = key as keyof LlmCall;
      const value = call[field];
      if (value === undefined) continue;
      if (field === 'metadata') merged.metadata = { ...(value as Record<string, string>), ...merged.metadata };
      else if (merged[field] === undefined) (merged as Record<string, unknown>)[field] = value;
    }
  }
  return merged;
}
