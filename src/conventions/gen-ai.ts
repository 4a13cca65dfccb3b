/**
 * OpenTelemetry GenAI semantic conventions (current `gen_ai.provider.name` shape and the older
 * `gen_ai.system` one). Inference and embeddings spans are calls; agent, workflow and tool spans
 * are aggregates that repeat their children's usage and never become rows.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Attributes } from '@opentelemetry/api';
import type { CallContext, ConventionResult, LlmCall, TokenUsage } from '../model/llm-call.js';
import { normalizeFinishReasons, normalizeProvider } from '../model/normalize.js';
import { neutralRequestJson, neutralResponseJson } from '../model/neutral-payload.js';
import * as semconv from './semconv.js';
import { count, inclusiveUsage, jsonText, number, providedCost, text, textList } from './attributes.js';

const AGGREGATE_OPERATIONS = new Set([
  'invoke_agent',
  'create_agent',
  'invoke_workflow',
  'execute_tool',
  'retrieval',
  'plan',
  'create_memory',
  'create_memory_store',
  'delete_memory',
  'delete_memory_store',
  'search_memory',
  'update_memory',
  'upsert_memory',
]);

// `generate_content` is Gemini's name for a chat turn; one call type keeps usage grouping useful.
const CALL_TYPES: Record<string, string> = { generate_content: 'chat', embeddings: 'embeddings' };

/** The ids a GenAI span names (an `invoke_agent` span names its agent for the calls below it). */
export function readGenAiContext(a: Attributes): CallContext {
  return { conversationId: text(a, semconv.ATTR_GEN_AI_CONVERSATION_ID), agentId: text(a, semconv.ATTR_GEN_AI_AGENT_ID) };
}

export function readGenAi(span: ReadableSpan): ConventionResult {
  const a = span.attributes;
  const operation = text(a, semconv.ATTR_GEN_AI_OPERATION_NAME)?.toLowerCase();
  const providerRaw = text(a, semconv.ATTR_GEN_AI_PROVIDER_NAME) ?? text(a, semconv.ATTR_GEN_AI_SYSTEM);
  const requestModel = text(a, semconv.ATTR_GEN_AI_REQUEST_MODEL);
  if (operation !== undefined) {
    if (AGGREGATE_OPERATIONS.has(operation)) return { kind: 'aggregate' };
    if (!semconv.GEN_AI_CALL_OPERATIONS.has(operation)) return undefined;
  } else if (providerRaw === undefined || requestModel === undefined) {
    // Without an operation name, a provider and a model (e.g. Bedrock InvokeModel) still mark a call.
    return undefined;
  }

  const responseModel = text(a, semconv.ATTR_GEN_AI_RESPONSE_MODEL);
  const usage = readUsage(a);
  // The Anthropic SDK's own spans give the stop reason only under their vendor key.
  const finishReasons = normalizeFinishReasons(
    textList(a, semconv.ATTR_GEN_AI_RESPONSE_FINISH_REASONS) ?? textList(a, 'anthropic.message.stop_reason'),
  );
  const ttftSeconds =
    number(a, semconv.ATTR_GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK) ?? number(a, semconv.ATTR_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK);
  const call: LlmCall = {
    callType: operation === undefined ? 'chat' : (CALL_TYPES[operation] ?? operation),
    provider: normalizeProvider(providerRaw),
    model: responseModel ?? requestModel,
    requestModel,
    usage,
    finishReasons,
    timeToFirstTokenMs: ttftSeconds === undefined ? undefined : ttftSeconds * 1000,
    ...readGenAiContext(a),
    error: text(a, 'error.type') ? { type: text(a, 'error.type') } : undefined,
    providedCost: providedCost(a, 'gen_ai.usage.cost', 'gen_ai.usage.input_cost', 'gen_ai.usage.output_cost'),
    requestJson: neutralRequestJson({
      model: requestModel,
      messages: jsonText(a, semconv.ATTR_GEN_AI_INPUT_MESSAGES),
      system: jsonText(a, semconv.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS),
      tools: jsonText(a, semconv.ATTR_GEN_AI_TOOL_DEFINITIONS),
      parameters: requestParameters(a),
    }),
    responseJson: neutralResponseJson({
      id: text(a, semconv.ATTR_GEN_AI_RESPONSE_ID),
      model: responseModel,
      messages: jsonText(a, semconv.ATTR_GEN_AI_OUTPUT_MESSAGES),
      finishReasons,
      usage,
    }),
  };
  return { kind: 'call', call };
}

/**
 * Usage under the semconv's inclusive rule (input includes cache reads and writes, output
 * includes reasoning), from the current, deprecated and Traceloop spellings. The Anthropic SDK's
 * own spans write cache writes as `cache_write.input_tokens`.
 */
function readUsage(a: Attributes): TokenUsage | undefined {
  return inclusiveUsage({
    input: count(a, semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS) ?? count(a, semconv.ATTR_GEN_AI_USAGE_PROMPT_TOKENS),
    output: count(a, semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS) ?? count(a, semconv.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS),
    total: count(a, 'gen_ai.usage.total_tokens') ?? count(a, 'llm.usage.total_tokens'),
    cacheRead: count(a, semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS) ?? count(a, 'gen_ai.usage.cache_read_input_tokens'),
    cacheWrite:
      count(a, semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS) ??
      count(a, 'gen_ai.usage.cache_write.input_tokens') ??
      count(a, 'gen_ai.usage.cache_creation_input_tokens'),
    reasoning:
      count(a, semconv.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS) ??
      count(a, 'gen_ai.usage.reasoning_tokens') ??
      // AI SDK 7's GenAI spans report reasoning only in its opt-in supplemental attributes.
      count(a, 'ai.usage.outputTokenDetails.reasoningTokens'),
  });
}

function requestParameters(a: Attributes): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const key in a) {
    if (!key.startsWith(semconv.GEN_AI_REQUEST_PREFIX) || key === semconv.ATTR_GEN_AI_REQUEST_MODEL) continue;
    (out ??= {})[key.slice(semconv.GEN_AI_REQUEST_PREFIX.length)] = a[key];
  }
  return out;
}
