/**
 * Gemini `generateContent` (Google AI and Vertex AI). `promptTokenCount` includes
 * `cachedContentTokenCount`; `candidatesTokenCount` EXCLUDES `thoughtsTokenCount`, so the
 * inclusive completion is candidates + thoughts. `toolUsePromptTokenCount` (input the model read
 * from tool results, e.g. search grounding) is outside `promptTokenCount` and is input, so it is
 * added to the prompt. Streaming chunks repeat the running `usageMetadata`.
 * Sources: vercel/ai `packages/google/src/convert-google-usage.ts` (+ its test),
 * `google-error.ts`, `__fixtures__/google-reasoning.json`, `issue-19822-complete-usage.json`,
 * `issue-19758-prompt-block.json`.
 */
import { toCount, toText } from '../model/normalize.js';
import { errorValue, facts, finishReasons, sum, usage } from './facts.js';
import type { ProviderFormat } from './format.js';
import { collect, isObject, mergeLatest, objectAt, objectsIn, valueAt, type JsonObject } from '../model/json.js';

/** Gemini says STOP when the model stops to call a function; report it as a tool call. */
function candidateFinishReason(candidate: JsonObject): unknown {
  const callsFunction = objectsIn(valueAt(candidate, 'content', 'parts')).some((part) => isObject(part.functionCall));
  return callsFunction && candidate.finishReason === 'STOP' ? 'tool_calls' : candidate.finishReason;
}

function read(body: JsonObject) {
  const counts = objectAt(body, 'usageMetadata');
  const thoughts = toCount(counts?.thoughtsTokenCount);
  const reasons = objectsIn(body.candidates).map(candidateFinishReason);
  return facts({
    usage:
      counts &&
      usage({
        promptTokens: sum(toCount(counts.promptTokenCount), toCount(counts.toolUsePromptTokenCount)),
        completionTokens: sum(toCount(counts.candidatesTokenCount), thoughts),
        totalTokens: toCount(counts.totalTokenCount),
        cachedInputTokens: toCount(counts.cachedContentTokenCount),
        reasoningTokens: thoughts,
      }),
    // `status` (`RESOURCE_EXHAUSTED`) says more than the HTTP-like numeric `code`.
    error: errorValue(body.error, ['status', 'code']),
    model: toText(body.modelVersion),
    // A blocked prompt has no candidates, only `promptFeedback.blockReason` (SAFETY, ...).
    finishReasons: finishReasons(reasons.length > 0 ? reasons : [valueAt(body, 'promptFeedback', 'blockReason')]),
  });
}

const isGeminiChunk = (body: JsonObject): boolean =>
  isObject(body.usageMetadata) || Array.isArray(body.candidates) || isObject(body.promptFeedback);

export const gemini: ProviderFormat = {
  name: 'gemini',
  provider: 'gcp.gemini',
  matches: (body) => isGeminiChunk(body) || typeof valueAt(body, 'error', 'status') === 'string',
  read,
  stream: {
    matches: isGeminiChunk,
    // Each chunk repeats the running usage; the finish reason comes on the last candidate chunk.
    fold: (chunks) => ({ ...mergeLatest(chunks), candidates: collect(chunks, 'candidates') }),
  },
};
