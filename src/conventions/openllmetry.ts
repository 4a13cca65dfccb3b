/**
 * OpenLLMetry / Traceloop spans, in both shapes openllmetry-js has emitted:
 * - the flattened one (every instrumentation up to 0.22, Cohere/Vertex AI/Together still):
 *   `llm.request.type`, `gen_ai.prompt.{i}.*`, `gen_ai.completion.{i}.*`, capitalized
 *   `gen_ai.system` (`OpenAI`, `Anthropic`), `llm.usage.total_tokens`;
 * - the OTel GenAI one (0.23 and later for OpenAI, Anthropic, Bedrock, ...), which the GenAI
 *   module reads; this module adds what is Traceloop's own.
 * Spans of the Traceloop SDK's decorators (`traceloop.span.kind`: workflow, task, agent, tool)
 * wrap calls and are aggregates.
 *
 * This module owns the usage of the spans it claims, because Traceloop's token semantics differ
 * from the semconv's: every released `@traceloop/instrumentation-anthropic` (0.22.6 and 0.27.0
 * read) writes Anthropic's raw `input_tokens`, which exclude cache reads and writes, and a total
 * over them; 0.23+ writes the cache counts beside it, 0.22 none. OpenAI counts are inclusive.
 * It also owns the flattened prompts and completions, the request type, and the association
 * properties (`traceloop.association.properties.*` -> metadata and ids).
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ConventionResult, LlmCall, TokenUsage } from '../model/llm-call.js';
import { normalizeFinishReasons, normalizeProvider, toText } from '../model/normalize.js';
import { neutralRequestJson, neutralResponseJson } from '../model/neutral-payload.js';
import { isObject, objectAt, type JsonObject } from '../model/json.js';
import * as semconv from './semconv.js';
import { attributesUnder, count, inclusiveUsage, indexed, json, parsedJson, text, withPrefix } from './attributes.js';
import { contextFromMetadata } from './metadata.js';

const SCOPE_PREFIX = '@traceloop/instrumentation-';
const ANTHROPIC_SCOPE = '@traceloop/instrumentation-anthropic';
// The last release whose Anthropic input tokens exclude cache (the newest at the time of writing).
const LAST_CACHE_EXCLUSIVE_ANTHROPIC: readonly number[] = [0, 27, 0];

const REQUEST_TYPES: Record<string, string> = {
  chat: 'chat',
  completion: 'text_completion',
  embedding: 'embeddings',
  embeddings: 'embeddings',
  rerank: 'rerank',
};

const LEGACY_PARAMETERS: Record<string, string> = {
  'llm.top_k': 'top_k',
  'llm.frequency_penalty': 'frequency_penalty',
  'llm.presence_penalty': 'presence_penalty',
  'llm.chat.stop_sequences': 'stop_sequences',
};

export function readOpenLlmetry(span: ReadableSpan): ConventionResult {
  const a = span.attributes;
  if (text(a, 'traceloop.span.kind') !== undefined) return { kind: 'aggregate' };
  const prompts = indexed(a, 'gen_ai.prompt.');
  const completions = indexed(a, 'gen_ai.completion.');
  const flattened = text(a, 'llm.request.type') !== undefined || prompts.length > 0 || completions.length > 0;
  const operation = text(a, semconv.ATTR_GEN_AI_OPERATION_NAME);
  const current =
    span.instrumentationScope.name.startsWith(SCOPE_PREFIX) && operation !== undefined && semconv.GEN_AI_CALL_OPERATIONS.has(operation);
  if (!flattened && !current) return undefined;

  const usage = readUsage(a, span.instrumentationScope);
  const call: LlmCall = { ...contextFromMetadata(withPrefix(a, 'traceloop.association.properties.')), usage };
  return { kind: 'call', call: flattened ? { ...call, ...readFlattened(a, prompts, completions, usage) } : call };
}

function readUsage(a: Attributes, scope: ReadableSpan['instrumentationScope']): TokenUsage | undefined {
  return inclusiveUsage(
    {
      input: count(a, semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS) ?? count(a, semconv.ATTR_GEN_AI_USAGE_PROMPT_TOKENS),
      output: count(a, semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS) ?? count(a, semconv.ATTR_GEN_AI_USAGE_COMPLETION_TOKENS),
      total: count(a, 'llm.usage.total_tokens') ?? count(a, 'gen_ai.usage.total_tokens'),
      cacheRead: count(a, semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS) ?? count(a, 'gen_ai.usage.cache_read_input_tokens'),
      cacheWrite: count(a, semconv.ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS) ?? count(a, 'gen_ai.usage.cache_creation_input_tokens'),
      reasoning: count(a, semconv.ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS) ?? count(a, 'gen_ai.usage.reasoning_tokens'),
    },
    { inputExcludesCache: scope.name === ANTHROPIC_SCOPE && !releasedAfter(scope.version, LAST_CACHE_EXCLUSIVE_ANTHROPIC) },
  );
}

/** Whether `version` (x.y.z) is newer than `release`; an unknown version is not. */
function releasedAfter(version: string | undefined, release: readonly number[]): boolean {
  const parts = /^(\d+)\.(\d+)\.(\d+)/
    .exec(version ?? '')
    ?.slice(1)
    .map(Number);
  if (parts === undefined) return false;
  const differing = parts.findIndex((part, i) => part !== release[i]);
  return differing !== -1 && parts[differing] > release[differing];
}

function readFlattened(a: Attributes, prompts: Attributes[], completions: Attributes[], usage: TokenUsage | undefined): LlmCall {
  const requestType = text(a, 'llm.request.type');
  const requestModel = text(a, semconv.ATTR_GEN_AI_REQUEST_MODEL);
  const responseModel = text(a, semconv.ATTR_GEN_AI_RESPONSE_MODEL);
  const finishReasons = normalizeFinishReasons(
    completions.map((completion) => text(completion, 'finish_reason')).filter((r) => r !== undefined),
  );
  const tools = indexed(a, 'llm.request.functions.').map((tool) => ({
    type: 'function',
    name: text(tool, 'name'),
    description: text(tool, 'description'),
    parameters: json(tool, 'arguments') ?? json(tool, 'parameters'),
  }));
  return {
    callType: requestType === undefined ? undefined : REQUEST_TYPES[requestType],
    provider: normalizeProvider(text(a, semconv.ATTR_GEN_AI_SYSTEM) ?? text(a, semconv.ATTR_GEN_AI_PROVIDER_NAME)),
    requestModel,
    model: responseModel ?? requestModel,
    finishReasons,
    requestJson: neutralRequestJson({
      model: requestModel,
      messages: prompts.length > 0 ? prompts.map(messageOf) : undefined,
      tools: tools.length > 0 ? tools : undefined,
      parameters: requestParameters(a),
    }),
    responseJson: neutralResponseJson({
      id: text(a, semconv.ATTR_GEN_AI_RESPONSE_ID),
      model: responseModel,
      messages: completions.length > 0 ? completions.map(messageOf) : undefined,
      finishReasons,
      usage,
    }),
  };
}

function requestParameters(a: Attributes): Record<string, unknown> | undefined {
  const { model: _model, ...parameters } = attributesUnder(a, semconv.GEN_AI_REQUEST_PREFIX) ?? {};
  for (const key in LEGACY_PARAMETERS) if (a[key] !== undefined && a[key] !== null) parameters[LEGACY_PARAMETERS[key]] = a[key];
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

/** One flattened prompt or completion (`role`, `content`, `tool_calls.{j}.*`) as an OTel GenAI message. */
function messageOf(message: Attributes): JsonObject {
  const toolCallId = text(message, 'tool_call_id');
  const content = text(message, 'content');
  const parts: unknown[] =
    content === undefined
      ? []
      : toolCallId === undefined
        ? contentParts(content)
        : [{ type: 'tool_call_response', id: toolCallId, response: parsedJson(content) }];
  for (const call of indexed(message, 'tool_calls.')) {
    parts.push({ type: 'tool_call', id: text(call, 'id'), name: text(call, 'name'), arguments: json(call, 'arguments') });
  }
  const functionName = text(message, 'function_call.name');
  if (functionName !== undefined)
    parts.push({ type: 'tool_call', name: functionName, arguments: json(message, 'function_call.arguments') });
  return { role: text(message, 'role'), parts };
}

/** Content is a string, or the JSON text of the provider's content blocks (Anthropic, OpenAI multi-part). */
function contentParts(content: string): unknown[] {
  const blocks = parsedJson(content);
  return Array.isArray(blocks) && blocks.every(isObject) ? blocks.map(blockPart) : [{ type: 'text', content }];
}

function blockPart(block: JsonObject): unknown {
  switch (block.type) {
    case 'text':
      return { type: 'text', content: block.text };
    case 'thinking':
      return { type: 'reasoning', content: block.thinking };
    case 'tool_use':
      return { type: 'tool_call', id: block.id, name: block.name, arguments: block.input };
    case 'tool_result':
      return { type: 'tool_call_response', id: block.tool_use_id, response: block.content };
    case 'image_url':
      return { type: 'uri', modality: 'image', uri: objectAt(block, 'image_url')?.url };
    case 'image': {
      const source = objectAt(block, 'source');
      return source?.type === 'url'
        ? { type: 'uri', modality: 'image', mime_type: toText(source.media_type), uri: source.url }
        : { type: 'blob', modality: 'image', mime_type: toText(source?.media_type), content: source?.data };
    }
    default:
      return block;
  }
}
