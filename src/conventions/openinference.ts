/**
 * OpenInference (Arize) spans. `openinference.span.kind` says what every span is: LLM and
 * EMBEDDING spans are calls. AGENT, CHAIN, TOOL, RETRIEVER, RERANKER, GUARDRAIL, EVALUATOR and
 * PROMPT spans are not, and are reported as aggregates so that no lower-precedence convention
 * turns them into rows (agent and chain spans of framework instrumentations repeat their
 * children's token counts).
 *
 * Token semantics: the spec makes `llm.token_count.prompt_details.*` sub-counts of
 * `llm.token_count.prompt`, which the Python instrumentations and the current JS ones honour.
 * The JS Anthropic instrumentation up to 0.1.x wrote Anthropic's raw `input_tokens` (cache
 * excluded) and no cache counts; 0.2 adds cache reads and writes to the prompt and writes the
 * details whenever they are non-zero. So for its spans without cache details the usage is read
 * from the raw response in `output.value`, through the Anthropic payload parser, which gives the
 * inclusive counts for both lines (0.2 spans without details had no cache to add).
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { CallContext, ConventionResult, LlmCall, TokenUsage } from '../model/llm-call.js';
import { normalizeFinishReasons, normalizeProvider, toText } from '../model/normalize.js';
import { neutralRequestJson, neutralResponseJson } from '../model/neutral-payload.js';
import { readProviderPayload } from '../providers/index.js';
import { isObject, objectAt, valueAt, type JsonObject } from '../model/json.js';
import { count, inclusiveUsage, indexed, json, millisToEvent, parsedJson, providedCost, text, textList } from './attributes.js';
import { contextFromMetadata, metadataFromJson } from './metadata.js';

const CALL_KINDS: Record<string, string> = { LLM: 'chat', EMBEDDING: 'embeddings' };
const NOT_CALL_KINDS = new Set(['AGENT', 'CHAIN', 'TOOL', 'RETRIEVER', 'RERANKER', 'GUARDRAIL', 'EVALUATOR', 'PROMPT']);

const ANTHROPIC_SCOPE = '@arizeai/openinference-instrumentation-anthropic';
const LANGCHAIN_SCOPE = '@arizeai/openinference-instrumentation-langchain';
// Python OpenAI instrumentation marks the first streamed token with this span event.
const FIRST_TOKEN_EVENT = 'First Token Stream Event';
const TOKEN_COUNT = 'llm.token_count.';

// Request fields that have their own place in the neutral request document.
const NON_PARAMETERS = new Set(['model', 'messages', 'input', 'prompt', 'tools', 'system', 'instructions']);

/** The ids an OpenInference span names (on any span kind: chains and agents pass them down). */
export function readOpenInferenceContext(a: Attributes): CallContext & { metadata?: Record<string, string> } {
  const fromMetadata = contextFromMetadata(metadataFromJson(a['metadata']));
  return {
    ...fromMetadata,
    // Explicit ids win over the metadata's well-known keys.
    conversationId: text(a, 'session.id') ?? fromMetadata.conversationId,
    userId: text(a, 'user.id') ?? fromMetadata.userId,
    agentTags: textList(a, 'tag.tags'),
  };
}

export function readOpenInference(span: ReadableSpan): ConventionResult {
  const a = span.attributes;
  const kind = text(a, 'openinference.span.kind')?.toUpperCase();
  if (kind === undefined) return undefined;
  if (NOT_CALL_KINDS.has(kind)) return { kind: 'aggregate' };
  const kindCallType = CALL_KINDS[kind];
  if (kindCallType === undefined) return undefined;

  const invocation = json(a, 'llm.invocation_parameters');
  const parameters = isObject(invocation) ? invocation : undefined;
  const requestModel =
    text(a, 'llm.request.model_name') ?? textAt(parameters, 'model') ?? text(a, 'embedding.model_name') ?? text(a, 'llm.model_name');
  const generation = span.instrumentationScope.name === LANGCHAIN_SCOPE ? langChainGeneration(a) : {};
  const responseModel =
    text(a, 'llm.response.model_name') ?? generation.model ?? text(a, 'llm.model_name') ?? text(a, 'embedding.model_name');
  const prompts = indexed(a, 'llm.prompts.');
  const usage = readUsage(span);
  const provider = normalizeProvider(text(a, 'llm.provider') ?? text(a, 'llm.system') ?? generation.provider);
  // Without llm.finish_reason (the Responses API), the raw response in output.value tells.
  const finishReasons =
    normalizeFinishReasons(textList(a, 'llm.finish_reason')) ?? readProviderPayload(a['output.value'], provider)?.finishReasons;
  const call: LlmCall = {
    ...readOpenInferenceContext(a),
    // The legacy completions API's prompts are `llm.prompts.*`.
    callType: prompts.length > 0 ? 'text_completion' : kindCallType,
    provider,
    requestModel,
    model: responseModel ?? requestModel,
    usage,
    finishReasons,
    timeToFirstTokenMs: millisToEvent(span, FIRST_TOKEN_EVENT),
    llmConfigJson: text(a, 'llm.invocation_parameters'),
    providedCost: providedCost(a, 'llm.cost.total', 'llm.cost.prompt', 'llm.cost.completion'),
    requestJson: requestJson(a, requestModel, parameters, prompts),
    responseJson: responseJson(a, responseModel, finishReasons, usage),
  };
  return { kind: 'call', call };
}

/**
 * What LangChain says about the request, where OpenInference's LangChain instrumentation leaves
 * `llm.provider` unset and `llm.model_name` as the requested alias: the generation in
 * `output.value` names the provider and the dated model that answered, and the run's `metadata`
 * names the provider (`ls_provider`).
 */
function langChainGeneration(a: Attributes): { provider?: string; model?: string } {
  const generations = valueAt(json(a, 'output.value'), 'generations');
  const first = Array.isArray(generations) && Array.isArray(generations[0]) ? (generations[0] as unknown[])[0] : undefined;
  const response = objectAt(first, 'message', 'kwargs', 'response_metadata');
  return {
    provider: toText(response?.['model_provider']) ?? toText(valueAt(json(a, 'metadata'), 'ls_provider')),
    model: toText(response?.['model_name']),
  };
}

function readUsage(span: ReadableSpan): TokenUsage | undefined {
  const a = span.attributes;
  const cacheRead = count(a, `${TOKEN_COUNT}prompt_details.cache_read`);
  const cacheWrite = count(a, `${TOKEN_COUNT}prompt_details.cache_write`);
  if (span.instrumentationScope.name === ANTHROPIC_SCOPE && cacheRead === undefined && cacheWrite === undefined) {
    const raw = readProviderPayload(a['output.value'], 'anthropic')?.usage;
    if (raw !== undefined) return raw;
  }
  return inclusiveUsage({
    input: count(a, `${TOKEN_COUNT}prompt`),
    output: count(a, `${TOKEN_COUNT}completion`),
    total: count(a, `${TOKEN_COUNT}total`),
    cacheRead,
    cacheWrite,
    reasoning: count(a, `${TOKEN_COUNT}completion_details.reasoning`),
  });
}

/**
 * The neutral request from the flattened attributes; without them `input.value` is the fallback:
 * JSON (the raw provider request in the JS instrumentations) verbatim, text as one user message.
 */
function requestJson(
  a: Attributes,
  model: string | undefined,
  parameters: JsonObject | undefined,
  prompts: Attributes[],
): string | undefined {
  const messages = indexed(a, 'llm.input_messages.').map(messageOf);
  const promptMessages = prompts.map((prompt) => textMessage('user', text(prompt, 'prompt.text')));
  const tools = indexed(a, 'llm.tools.').map((tool) => json(tool, 'tool.json_schema'));
  const flattened = messages.length > 0 ? messages : promptMessages.length > 0 ? promptMessages : undefined;
  const input = text(a, 'input.value');
  if (flattened === undefined && input !== undefined)
    return fallbackDocument(input, () => neutralRequestJson({ model, messages: [textMessage('user', input)] }));
  return neutralRequestJson({
    model,
    messages: flattened,
    system: systemParts(parameters?.system ?? parameters?.instructions),
    tools: tools.length > 0 ? tools : parameters?.tools,
    parameters: parameters && withoutKeys(parameters, NON_PARAMETERS),
  });
}

function responseJson(
  a: Attributes,
  model: string | undefined,
  finishReasons: string[] | undefined,
  usage: TokenUsage | undefined,
): string | undefined {
  const messages = indexed(a, 'llm.output_messages.').map(messageOf);
  const choices = indexed(a, 'llm.choices.').map((choice) => textMessage('assistant', text(choice, 'completion.text')));
  const flattened = messages.length > 0 ? messages : choices.length > 0 ? choices : undefined;
  const outputText = text(a, 'output.value');
  // The raw response in `output.value` has the response id the attributes lack.
  const id = textAt(json(a, 'output.value'), 'id');
  const neutral = (fallback?: unknown[]) => neutralResponseJson({ id, model, messages: flattened ?? fallback, finishReasons, usage });
  if (flattened === undefined && outputText !== undefined)
    return fallbackDocument(outputText, () => neutral([textMessage('assistant', outputText)]));
  return neutral();
}

/** A payload attribute that is JSON is kept verbatim; plain text goes into a neutral document. */
function fallbackDocument(value: string, neutral: () => string | undefined): string | undefined {
  const parsed = parsedJson(value);
  return isObject(parsed) || Array.isArray(parsed) ? value : neutral();
}

/** One flattened OpenInference message as an OTel GenAI message (role + parts). */
function messageOf(message: Attributes): JsonObject {
  const parts: unknown[] = [];
  const content = text(message, 'message.content');
  const toolCallId = text(message, 'message.tool_call_id');
  if (content !== undefined) {
    parts.push(
      toolCallId === undefined ? { type: 'text', content } : { type: 'tool_call_response', id: toolCallId, response: parsedJson(content) },
    );
  }
  const contents = indexed(message, 'message.contents.');
  for (const item of contents) {
    const part = contentPart(item);
    if (part !== undefined) parts.push(part);
  }
  // The Anthropic instrumentation writes tool calls both as `tool_calls` and as `tool_use` contents.
  const toolCalls = indexed(message, 'message.tool_calls.');
  const calls = toolCalls.length > 0 ? toolCalls : contents.filter((item) => text(item, 'message_content.type') === 'tool_use');
  for (const call of calls) {
    parts.push({
      type: 'tool_call',
      id: text(call, 'tool_call.id'),
      name: text(call, 'tool_call.function.name'),
      arguments: json(call, 'tool_call.function.arguments'),
    });
  }
  const functionName = text(message, 'message.function_call_name');
  if (functionName !== undefined) {
    parts.push({ type: 'tool_call', name: functionName, arguments: json(message, 'message.function_call_arguments_json') });
  }
  return { role: text(message, 'message.role'), name: text(message, 'message.name'), parts };
}

function contentPart(item: Attributes): unknown {
  const type = text(item, 'message_content.type');
  const content = text(item, 'message_content.text');
  switch (type) {
    case 'tool_use':
      return undefined;
    case 'text':
    case 'input_text':
    case 'output_text':
      return { type: 'text', content };
    case 'reasoning':
      return { type: 'reasoning', content };
    case 'image':
      return { type: 'uri', modality: 'image', uri: text(item, 'message_content.image.image.url') };
    default:
      return { type: type ?? 'text', content };
  }
}

/** Anthropic's `system` (text or text blocks) and the Responses API's `instructions` as OTel GenAI parts. */
function systemParts(system: unknown): unknown {
  if (typeof system === 'string') return [{ type: 'text', content: system }];
  if (!Array.isArray(system)) return system;
  return system.map((block: unknown) => (isObject(block) && block.type === 'text' ? { type: 'text', content: block.text } : block));
}

function textMessage(role: string, content: string | undefined): JsonObject {
  return { role, parts: content === undefined ? [] : [{ type: 'text', content }] };
}

function textAt(value: unknown, key: string): string | undefined {
  return toText(valueAt(value, key));
}

function withoutKeys(object: JsonObject, keys: ReadonlySet<string>): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.has(key)));
}
