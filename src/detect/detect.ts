/**
 * Span -> normalized LLM call. Each convention module reads its own keys; their answers merge by
 * precedence (first listed wins per field):
 *
 * 1. `llm_traces.*` attributes: set by the application on purpose, raw provider payloads.
 * 2. Vercel AI SDK `ai.*`: its outer spans also carry `gen_ai.*` keys, so its `aggregate` must
 *    come before the GenAI module's `call`.
 * 3. OpenInference: its span kind says what every span is.
 * 4. OpenLLMetry / Traceloop: its flattened prompts and completions, and its own token semantics
 *    for the `gen_ai.usage.*` keys it shares with the semconv.
 * 5. OTel GenAI semantic conventions.
 *
 * A span is a call when some convention says so and no convention ahead of it calls it an
 * aggregate (agent, workflow and tool spans repeat their children's usage). Application ids from
 * `llm_traces.*` attributes (copied by the context processor) override the conventions' own;
 * user metadata maps of any library fill what is still missing.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import { readGenAi, readGenAiContext } from '../conventions/gen-ai.js';
import { readLlmTraces, readLlmTracesContext } from '../conventions/llm-traces.js';
import { userMetadata } from '../conventions/metadata.js';
import { readOpenInference, readOpenInferenceContext } from '../conventions/openinference.js';
import { readOpenLlmetry } from '../conventions/openllmetry.js';
import { readVercelAi } from '../conventions/vercel-ai.js';
import type { CallContext, CallError, ConventionResult, LlmCall } from '../model/llm-call.js';
import { mergeCalls } from '../model/merge-calls.js';
import { toText } from '../model/normalize.js';

export const CONVENTIONS: ReadonlyArray<(span: ReadableSpan) => ConventionResult> = [
  readLlmTraces,
  readVercelAi,
  readOpenInference,
  readOpenLlmetry,
  readGenAi,
];

export function detectLlmCall(span: ReadableSpan): LlmCall | undefined {
  const calls: LlmCall[] = [];
  for (const read of CONVENTIONS) {
    const result = read(span);
    if (result === undefined) continue;
    if (result.kind === 'aggregate') {
      if (calls.length === 0) return undefined;
      continue;
    }
    calls.push(result.call);
  }
  if (calls.length === 0) return undefined;
  const { metadata, ...context } = readLlmTracesContext(span.attributes);
  const call = mergeCalls([{ ...context, metadata }, ...calls, userMetadata(span.attributes)]);
  const spanError = errorOfSpan(span);
  if (spanError) call.error = { type: call.error?.type ?? spanError.type, message: call.error?.message ?? spanError.message };
  return call;
}

/**
 * The ids, tags and billing a span names for itself and the spans below it, whether or not it is a
 * call (agent, step and chain spans carry them for the calls they wrap), in the same precedence as
 * a call's own: `llm_traces.*`, then each library's explicit ids, then user metadata maps.
 */
export function detectContext(a: Attributes): CallContext {
  const { id: _id, metadata: _metadata, ...explicit } = readLlmTracesContext(a);
  const { metadata: _oiMetadata, ...openInference } = readOpenInferenceContext(a);
  const { metadata: _userMetadata, ...fromMaps } = userMetadata(a);
  return mergeCalls([explicit, openInference, readGenAiContext(a), fromMaps]);
}

/**
 * The error a span records the standard way: status ERROR with its message, and the
 * `exception` event that `span.recordException` adds (type and message).
 */
function errorOfSpan(span: ReadableSpan): CallError | undefined {
  const exception = span.events.find((event) => event.name === 'exception')?.attributes;
  const failed = span.status.code === SpanStatusCode.ERROR;
  if (!failed && !exception) return undefined;
  return {
    type: toText(exception?.['exception.type']) ?? 'error',
    message: toText(span.status.message) ?? toText(exception?.['exception.message']),
  };
}
