/**
 * Vercel AI SDK `ai.*` spans: the built-in telemetry of majors 4, 5 and 6 and AI SDK 7's
 * `LegacyOpenTelemetry` integration (AI SDK 7's default GenAI output is the GenAI module's).
 * Only the provider-call spans (`ai.*.doGenerate`, `ai.*.doStream`, `ai.*.doEmbed`) are calls.
 * Every other `ai.*` operation is an aggregate: `ai.generateText` and the other outer spans
 * repeat their children's usage (summed over the steps), `ai.toolCall` wraps tool code. Saying
 * so also keeps `gen_ai.*` keys on them (the Traceloop SDK writes them onto every `ai` span) from
 * making them GenAI calls.
 *
 * Usage semantics, read in the published packages (`ai` 4.3/5.0/6.0/7.0 `dist`, `@ai-sdk/*`
 * providers v1/v2/v3):
 * - AI SDK 6 and 7 (`LanguageModelV3Usage`, recognized by `ai.usage.inputTokenDetails.*` /
 *   `ai.usage.outputTokenDetails.*`, or by the `ai/6.x` user agent the SDK records):
 *   `inputTokens` includes cache reads and writes and `outputTokens` includes reasoning, for
 *   every provider (the SDK normalizes them).
 * - AI SDK 4 and 5 (`LanguageModelV1/V2Usage`): the provider's own counts. Anthropic and Bedrock
 *   input excludes cache reads and writes; Google output excludes thoughts; OpenAI counts are
 *   inclusive. What `ai.usage.*` leaves out (cache writes always; cache reads and reasoning in
 *   AI SDK 4 and 5's generateText) is read from `ai.response.providerMetadata`.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ConventionResult, LlmCall, TokenUsage } from '../model/llm-call.js';
import { normalizeFinishReasons, normalizeProvider, toCount, toText } from '../model/normalize.js';
import { neutralRequestJson, neutralResponseJson } from '../model/neutral-payload.js';
import { isObject, objectsIn, valueAt, type JsonObject } from '../model/json.js';
import {
  attributesUnder,
  count,
  inclusiveUsage,
  json,
  millisToEvent,
  number,
  parsedJson,
  text,
  textList,
  withPrefix,
  type UsageSemantics,
} from './attributes.js';
import { contextFromMetadata, mergeMetadata } from './metadata.js';

const CALL_TYPES: Record<string, string> = {
  'ai.generateText.doGenerate': 'chat',
  'ai.streamText.doStream': 'chat',
  'ai.generateObject.doGenerate': 'chat',
  'ai.streamObject.doStream': 'chat',
  'ai.embed.doEmbed': 'embeddings',
  'ai.embedMany.doEmbed': 'embeddings',
};

// Known by name for spans that lost `ai.operationId`; with it, any other `ai.*` id is an aggregate.
const OUTER_OPERATIONS = new Set([
  'ai.generateText',
  'ai.streamText',
  'ai.generateObject',
  'ai.streamObject',
  'ai.embed',
  'ai.embedMany',
  'ai.toolCall',
]);

const FIRST_CHUNK_EVENT = 'ai.stream.firstChunk';
const MS_TO_FIRST_CHUNK = 'ai.response.msToFirstChunk';
const LEGACY_MS_TO_FIRST_CHUNK = 'ai.stream.msToFirstChunk';
const SETTINGS_PREFIX = 'ai.settings.';
// AI SDK 7's legacy integration puts the caller's runtime context under the settings.
const CONTEXT_PREFIX = 'ai.settings.context.';

export function readVercelAi(span: ReadableSpan): ConventionResult {
  const operation = operationOf(span);
  if (operation === undefined) return undefined;
  const callType = CALL_TYPES[operation];
  if (callType === undefined) return { kind: 'aggregate' };

  const a = span.attributes;
  const provider = normalizeProvider(text(a, 'ai.model.provider') ?? text(a, 'gen_ai.system'));
  const requestModel = text(a, 'ai.model.id') ?? text(a, 'gen_ai.request.model');
  const responseModel = text(a, 'ai.response.model') ?? text(a, 'gen_ai.response.model');
  const usage = callType === 'embeddings' ? inclusiveUsage({ input: count(a, 'ai.usage.tokens') }) : readUsage(a, provider);
  const finishReasons = normalizeFinishReasons(textList(a, 'ai.response.finishReason') ?? textList(a, 'gen_ai.response.finish_reasons'));
  const functionId = text(a, 'ai.telemetry.functionId');
  const metadata = mergeMetadata(
    withPrefix(a, 'ai.telemetry.metadata.'),
    withPrefix(a, CONTEXT_PREFIX),
    // The function id names the call site, not an agent instance: it stays metadata.
    functionId === undefined ? undefined : { function_id: functionId },
  );
  const call: LlmCall = {
    ...contextFromMetadata(metadata),
    callType,
    provider,
    requestModel,
    model: responseModel ?? requestModel,
    usage,
    finishReasons,
    timeToFirstTokenMs: timeToFirstChunkMs(span),
    requestJson: neutralRequestJson({
      model: requestModel,
      messages: inputMessages(json(a, 'ai.prompt.messages')),
      tools: toolDefinitions(a['ai.prompt.tools']),
      parameters: requestParameters(a),
    }),
    responseJson: neutralResponseJson({
      id: text(a, 'ai.response.id') ?? text(a, 'gen_ai.response.id'),
      model: responseModel,
      messages: outputMessages(a),
      finishReasons,
      usage,
    }),
  };
  return { kind: 'call', call };
}

/** `ai.operationId`; the span name carries the same id when a processor dropped the attribute. */
function operationOf(span: ReadableSpan): string | undefined {
  const id = text(span.attributes, 'ai.operationId');
  if (id !== undefined) return id.startsWith('ai.') ? id : undefined;
  return span.name in CALL_TYPES || OUTER_OPERATIONS.has(span.name) ? span.name : undefined;
}

function readUsage(a: Attributes, provider: string | undefined): TokenUsage | undefined {
  const reported = {
    // AI SDK 5's generateText still writes the AI SDK 4 names (with V2 values).
    input: count(a, 'ai.usage.inputTokens') ?? count(a, 'ai.usage.promptTokens'),
    output: count(a, 'ai.usage.outputTokens') ?? count(a, 'ai.usage.completionTokens'),
    total: count(a, 'ai.usage.totalTokens'),
  };
  const detailed =
    attributesUnder(a, 'ai.usage.inputTokenDetails.') !== undefined || attributesUnder(a, 'ai.usage.outputTokenDetails.') !== undefined;
  // generateObject in AI SDK 6 and 7 still writes `promptTokens` (V3 totals) without details.
  if (detailed || (sdkMajor(a) ?? 0) >= 6) {
    return inclusiveUsage({
      ...reported,
      cacheRead: count(a, 'ai.usage.inputTokenDetails.cacheReadTokens') ?? count(a, 'ai.usage.cachedInputTokens'),
      cacheWrite: count(a, 'ai.usage.inputTokenDetails.cacheWriteTokens'),
      reasoning: count(a, 'ai.usage.outputTokenDetails.reasoningTokens') ?? count(a, 'ai.usage.reasoningTokens'),
    });
  }
  const metadata = json(a, 'ai.response.providerMetadata');
  const source = providerUsageSource(provider, metadata);
  const reports = source === undefined ? undefined : valueAt(metadata, source.key);
  const fromMetadata = (paths: readonly KeyPath[] = []) =>
    paths.map((path) => toCount(valueAt(reports, ...path))).find((n) => n !== undefined);
  return inclusiveUsage(
    {
      ...reported,
      cacheRead: count(a, 'ai.usage.cachedInputTokens') ?? fromMetadata(source?.cacheRead),
      cacheWrite: fromMetadata(source?.cacheWrite),
      reasoning: count(a, 'ai.usage.reasoningTokens') ?? fromMetadata(source?.reasoning),
    },
    source?.semantics,
  );
}

/** AI SDK 5 and later add their own version to the user agent they record (`ai/6.0.326`). */
function sdkMajor(a: Attributes): number | undefined {
  const match = /(?:^|\s)ai\/(\d+)\./.exec(text(a, 'ai.request.headers.user-agent') ?? '');
  return match === null ? undefined : Number(match[1]);
}

type KeyPath = readonly string[];

interface ProviderUsageSource {
  /** The provider's key in `ai.response.providerMetadata`. */
  key: string;
  /** The `gen_ai.provider.name` values whose AI SDK providers write under `key`. */
  providers: readonly string[];
  cacheRead?: readonly KeyPath[];
  cacheWrite?: readonly KeyPath[];
  reasoning?: readonly KeyPath[];
  semantics?: UsageSemantics;
}

// AI SDK 4 (providers v1) and 5 (providers v2): where each provider reports what `ai.usage.*`
// lacks, and what its counts leave out. Sources: @ai-sdk/openai 1.3 and 2.0, @ai-sdk/anthropic
// 1.2 and 2.0, @ai-sdk/amazon-bedrock 3.0 and @ai-sdk/google 2.0 language models.
const PROVIDER_USAGE_SOURCES: readonly ProviderUsageSource[] = [
  { key: 'openai', providers: ['openai', 'azure.ai.openai'], cacheRead: [['cachedPromptTokens']], reasoning: [['reasoningTokens']] },
  {
    key: 'anthropic',
    providers: ['anthropic'],
    cacheRead: [['cacheReadInputTokens'], ['usage', 'cache_read_input_tokens']],
    cacheWrite: [['cacheCreationInputTokens'], ['usage', 'cache_creation_input_tokens']],
    semantics: { inputExcludesCache: true },
  },
  {
    key: 'bedrock',
    providers: ['aws.bedrock'],
    cacheRead: [['usage', 'cacheReadInputTokens']],
    cacheWrite: [['usage', 'cacheWriteInputTokens']],
    semantics: { inputExcludesCache: true },
  },
  {
    key: 'google',
    providers: ['gcp.gemini', 'gcp.vertex_ai'],
    cacheRead: [['usageMetadata', 'cachedContentTokenCount']],
    reasoning: [['usageMetadata', 'thoughtsTokenCount']],
    semantics: { outputExcludesReasoning: true },
  },
];

/** The metadata key present decides (Anthropic models on Vertex report as `anthropic`), else the provider. */
function providerUsageSource(provider: string | undefined, metadata: unknown): ProviderUsageSource | undefined {
  return (
    PROVIDER_USAGE_SOURCES.find((source) => isObject(valueAt(metadata, source.key))) ??
    PROVIDER_USAGE_SOURCES.find((source) => provider !== undefined && source.providers.includes(provider))
  );
}

function timeToFirstChunkMs(span: ReadableSpan): number | undefined {
  const event = span.events.find((candidate) => candidate.name === FIRST_CHUNK_EVENT)?.attributes ?? {};
  // AI SDK 3 and AI SDK 7's legacy object streams write `ai.stream.msToFirstChunk`.
  return (
    number(span.attributes, MS_TO_FIRST_CHUNK) ??
    number(span.attributes, LEGACY_MS_TO_FIRST_CHUNK) ??
    number(event, MS_TO_FIRST_CHUNK) ??
    number(event, LEGACY_MS_TO_FIRST_CHUNK) ??
    millisToEvent(span, FIRST_CHUNK_EVENT)
  );
}

function requestParameters(a: Attributes): Record<string, unknown> | undefined {
  const settings = attributesUnder(a, SETTINGS_PREFIX);
  const parameters: Record<string, unknown> = {};
  for (const key in settings) if (!key.startsWith('context.')) parameters[key] = settings[key];
  const toolChoice = json(a, 'ai.prompt.toolChoice');
  if (toolChoice !== undefined) parameters.toolChoice = toolChoice;
  return Object.keys(parameters).length > 0 ? parameters : undefined;
}

/**
 * The provider prompt (`ai.prompt.messages`) as OTel GenAI input messages, converted the way
 * `@ai-sdk/otel` does. Text that did not parse (truncated by attribute limits) is kept as read.
 */
function inputMessages(prompt: unknown): unknown {
  if (!Array.isArray(prompt)) return prompt;
  return prompt.map((message: unknown) => (isObject(message) ? { role: message.role, parts: partsOf(message.content) } : message));
}

function partsOf(content: unknown): unknown[] {
  if (typeof content === 'string') return [{ type: 'text', content }];
  return objectsIn(content).map(partOf);
}

function partOf(part: JsonObject): unknown {
  switch (part.type) {
    case 'text':
      return { type: 'text', content: part.text };
    case 'reasoning':
      return { type: 'reasoning', content: part.text };
    case 'tool-call':
      return toolCallPart(part);
    case 'tool-result':
      return { type: 'tool_call_response', id: part.toolCallId, response: toolOutput(part) };
    case 'image': // AI SDK 4
      return mediaPart(part.image, part.mimeType, 'image');
    case 'file':
      return mediaPart(part.data, part.mediaType ?? part.mimeType, 'document');
    default:
      return part;
  }
}

/** AI SDK 4 writes `args`, 5 and later `input`; either may be the arguments' JSON text. */
function toolCallPart(call: JsonObject): unknown {
  return { type: 'tool_call', id: call.toolCallId, name: call.toolName, arguments: parsedJson(call.input ?? call.args) };
}

/** AI SDK 5 and later wrap the result as `{type: "json" | "text" | ..., value}`; AI SDK 4 writes `result`. */
function toolOutput(part: JsonObject): unknown {
  const output = part.output;
  return isObject(output) && 'value' in output ? output.value : (output ?? part.result);
}

function mediaPart(data: unknown, mediaType: unknown, fallbackModality: string): unknown {
  const mimeType = toText(mediaType);
  const kind = mimeType?.split('/')[0];
  const modality = kind === 'image' || kind === 'audio' || kind === 'video' ? kind : fallbackModality;
  return typeof data === 'string' && /^https?:\/\//.test(data)
    ? { type: 'uri', modality, mime_type: mimeType, uri: data }
    : { type: 'blob', modality, mime_type: mimeType, content: data };
}

/** `ai.prompt.tools` is a list of JSON tool definitions; the parameters are `inputSchema` since AI SDK 5. */
function toolDefinitions(value: unknown): unknown[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.map((item: unknown) => {
    const tool = parsedJson(item);
    if (!isObject(tool) || tool.type !== 'function') return tool;
    const { inputSchema, parameters, ...rest } = tool;
    return { ...rest, parameters: parameters ?? inputSchema };
  });
}

function outputMessages(a: Attributes): unknown[] | undefined {
  const parts: unknown[] = [];
  const reasoning = text(a, 'ai.response.reasoning');
  if (reasoning !== undefined) parts.push({ type: 'reasoning', content: reasoning });
  const content = text(a, 'ai.response.text') ?? text(a, 'ai.response.object');
  if (content !== undefined) parts.push({ type: 'text', content });
  parts.push(...objectsIn(json(a, 'ai.response.toolCalls')).map(toolCallPart));
  return parts.length > 0 ? [{ role: 'assistant', parts }] : undefined;
}
