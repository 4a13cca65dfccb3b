/**
 * GenAI content events: the prompt and completion that instrumentations such as
 * `@opentelemetry/instrumentation-openai` put in log records, not on the span. Two shapes:
 *
 * - the per-message events (`gen_ai.system.message`, `gen_ai.user.message`,
 *   `gen_ai.assistant.message`, `gen_ai.tool.message`, `gen_ai.choice`; event name in the
 *   `event.name` attribute, content in the body);
 * - `gen_ai.client.inference.operation.details`, which carries `gen_ai.input.messages`,
 *   `gen_ai.output.messages` and `gen_ai.system_instructions` as attributes, already in the
 *   semconv's message shape.
 *
 * Each record becomes messages in that shape (`{ role, parts: [{ type, ... }] }`), which the GenAI
 * span convention reads. Pure.
 */
import { isObject, parseJson, type JsonObject } from '../model/json.js';
import * as semconv from './semconv.js';

/** What one record adds to its call. */
export interface GenAiContent {
  input?: unknown[];
  output?: unknown[];
  systemInstructions?: unknown[];
}

/** The event name, as a log record carries it: its own field (current SDKs) or the `event.name` attribute. */
export function genAiEventName(eventName: unknown, attributes: Record<string, unknown>): string | undefined {
  const name = typeof eventName === 'string' && eventName !== '' ? eventName : attributes['event.name'];
  return typeof name === 'string' && name.startsWith('gen_ai.') ? name : undefined;
}

const MESSAGE_ROLES: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
};

/**
 * The content of one GenAI event; undefined for other events and for records without content
 * (an instrumentation that does not capture content still emits them, with roles only).
 */
export function genAiEventContent(name: string, body: unknown, attributes: Record<string, unknown>): GenAiContent | undefined {
  if (name === 'gen_ai.client.inference.operation.details') {
    const content: GenAiContent = {
      input: list(attributes[semconv.ATTR_GEN_AI_INPUT_MESSAGES]),
      output: list(attributes[semconv.ATTR_GEN_AI_OUTPUT_MESSAGES]),
      systemInstructions: list(attributes[semconv.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS]),
    };
    return content.input || content.output || content.systemInstructions ? content : undefined;
  }
  const fields = record(body);
  if (name === 'gen_ai.choice') {
    const message = record(fields.message);
    const parts = messageParts(message);
    if (parts.length === 0) return undefined;
    const output: Record<string, unknown> = { role: typeof message.role === 'string' ? message.role : 'assistant', parts };
    if (typeof fields.finish_reason === 'string') output.finish_reason = fields.finish_reason;
    return { output: [output] };
  }
  const role = MESSAGE_ROLES[name];
  if (role === undefined) return undefined;
  const parts =
    role === 'tool' && fields.content !== undefined
      ? [{ type: 'tool_call_response', ...(fields.id === undefined ? {} : { id: fields.id }), response: fields.content }]
      : messageParts(fields);
  return parts.length === 0 ? undefined : { input: [{ role, parts }] };
}

/** Text and tool calls of an OpenAI-style message (`content`, `tool_calls`) as semconv parts. */
function messageParts(message: JsonObject): unknown[] {
  const parts: unknown[] = [];
  const content = message.content;
  if (typeof content === 'string' && content !== '') parts.push({ type: 'text', content });
  else if (Array.isArray(content))
    for (const part of content) parts.push(typeof part === 'string' ? { type: 'text', content: part } : part);
  else if (content !== undefined && content !== null && content !== '') parts.push({ type: 'text', content });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      const { id, function: fn } = record(call);
      const { name, arguments: args } = record(fn);
      parts.push({
        type: 'tool_call',
        ...(id === undefined ? {} : { id }),
        ...(name === undefined ? {} : { name }),
        ...(args === undefined ? {} : { arguments: args }),
      });
    }
  }
  return parts;
}

/** A list attribute: an array as the log record holds it, or JSON text of one. */
function list(value: unknown): unknown[] | undefined {
  const parsed = typeof value === 'string' ? parseJson(value) : value;
  return Array.isArray(parsed) && parsed.length > 0 ? parsed : undefined;
}

function record(value: unknown): JsonObject {
  return isObject(value) ? value : {};
}
