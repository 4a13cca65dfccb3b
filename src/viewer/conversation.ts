/**
 * A stored request or response payload as a conversation: messages of roles made of parts (text,
 * reasoning, tool calls with their arguments, tool results, media placeholders). Pure.
 *
 * Payloads come in the provider's own shape when the app attached raw bodies (OpenAI Chat, OpenAI
 * Responses, Anthropic Messages, Gemini, Bedrock Converse) and in this package's neutral shape
 * (`{model, messages: [{role, parts}], system, tools, parameters}`, the GenAI message format) when
 * the exporter built it from an instrumentation's attributes. One part reader understands the
 * content blocks of all of them: they differ in names, rarely in meaning.
 */
export type Format = 'neutral' | 'openai.chat' | 'openai.responses' | 'anthropic' | 'gemini' | 'bedrock' | 'text';

export type Part =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool_call'; id: string; name: string; arguments: string }
  | { kind: 'tool_result'; id: string; name: string; content: string; isError: boolean }
  | { kind: 'media'; media: string; mediaType: string; bytes: number | null; source: string }
  | { kind: 'other'; label: string; json: string };

export interface Message {
  role: string;
  name?: string;
  parts: Part[];
}

export interface Tool {
  name: string;
  description: string;
}

export interface Conversation {
  format: Format;
  model: string;
  messages: Message[];
  tools: Tool[];
  /** Sampling and request options (temperature, max tokens, ...), as given. */
  parameters: Record<string, unknown>;
  finishReasons: string[];
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : pretty(value));
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** JSON text as readable text: objects pretty-printed, strings holding JSON re-indented. */
export function pretty(value: unknown): string {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    if ((trimmed.startsWith('{') && trimmed.endsWith('}')) || (trimmed.startsWith('[') && trimmed.endsWith(']'))) {
      try {
        return JSON.stringify(JSON.parse(trimmed), null, 2);
      } catch {
        return value;
      }
    }
    return value;
  }
  return JSON.stringify(value, null, 2) ?? String(value);
}

/** Size of base64 data (or a data: URL) in bytes. */
export function base64Bytes(data: string): number {
  const comma = data.startsWith('data:') ? data.indexOf(',') : -1;
  const body = comma === -1 ? data : data.slice(comma + 1);
  const padding = body.endsWith('==') ? 2 : body.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((body.length * 3) / 4) - padding);
}

function media(kind: string, mediaType: string, data: unknown, url?: unknown): Part {
  if (typeof data === 'string' && data !== '') return { kind: 'media', media: kind, mediaType, bytes: base64Bytes(data), source: 'inline' };
  if (typeof url === 'string' && url.startsWith('data:')) {
    const type = /^data:([^;,]+)/.exec(url)?.[1] ?? mediaType;
    return { kind: 'media', media: kind, mediaType: type, bytes: base64Bytes(url), source: 'inline' };
  }
  // Remote media are named, never loaded: the page makes no request the user did not ask for.
  return { kind: 'media', media: kind, mediaType, bytes: null, source: typeof url === 'string' ? url : '' };
}

/** One content block of any supported shape, or a bare string. */
function partsOf(block: unknown, toolNames: Map<string, string>): Part[] {
  if (typeof block === 'string') return block === '' ? [] : [{ kind: 'text', text: block }];
  if (!isObject(block)) return block === null || block === undefined ? [] : [{ kind: 'other', label: typeof block, json: pretty(block) }];
  const type = str(block.type);
  switch (type) {
    case 'text':
    case 'input_text':
    case 'output_text':
      return [{ kind: 'text', text: str(block.text) || text(block.content) }];
    case 'refusal':
      return [{ kind: 'text', text: str(block.refusal) }];
    case 'reasoning':
    case 'thinking':
      return [{ kind: 'reasoning', text: str(block.thinking) || str(block.content) || summaryText(block) }];
    case 'redacted_thinking':
      return [{ kind: 'reasoning', text: '[redacted thinking]' }];
    case 'tool_call':
    case 'tool_use':
    case 'function_call':
    case 'server_tool_use': {
      // Responses API results refer to a call by call_id; its `id` is the item's own.
      const id = str(block.call_id) || str(block.id);
      const name = str(block.name);
      toolNames.set(id, name);
      return [{ kind: 'tool_call', id, name, arguments: pretty(block.arguments ?? block.input ?? {}) }];
    }
    case 'tool_call_response':
    case 'tool_result':
    case 'function_call_output': {
      const id = str(block.id) || str(block.tool_use_id) || str(block.call_id);
      const content = block.response ?? block.content ?? block.output;
      return [
        { kind: 'tool_result', id, name: toolNames.get(id) ?? '', content: flatText(content, toolNames), isError: block.is_error === true },
      ];
    }
    case 'image_url':
      return [media('image', 'image', undefined, isObject(block.image_url) ? block.image_url.url : block.image_url)];
    case 'input_image':
      return [media('image', 'image', undefined, block.image_url ?? block.file_id)];
    case 'image':
    case 'document': {
      const source = isObject(block.source) ? block.source : {};
      return [media(type, str(source.media_type) || str(block.media_type) || type, source.data, source.url ?? block.url)];
    }
    case 'blob':
    case 'uri':
    case 'file':
      return [media(str(block.modality) || 'file', str(block.mime_type) || 'file', block.content, block.uri ?? block.file_id)];
    case 'input_audio':
      return [
        media(
          'audio',
          `audio/${str(isObject(block.input_audio) ? block.input_audio.format : '') || 'unknown'}`,
          isObject(block.input_audio) ? block.input_audio.data : undefined,
        ),
      ];
    case 'message':
      return flatParts(block.content, toolNames);
  }
  // Bedrock Converse and Gemini blocks are keyed by what they hold, without a type.
  if ('toolUse' in block && isObject(block.toolUse)) {
    const id = str(block.toolUse.toolUseId);
    const name = str(block.toolUse.name);
    toolNames.set(id, name);
    return [{ kind: 'tool_call', id, name, arguments: pretty(block.toolUse.input ?? {}) }];
  }
  if ('toolResult' in block && isObject(block.toolResult)) {
    const id = str(block.toolResult.toolUseId);
    return [
      {
        kind: 'tool_result',
        id,
        name: toolNames.get(id) ?? '',
        content: flatText(block.toolResult.content, toolNames),
        isError: block.toolResult.status === 'error',
      },
    ];
  }
  if ('functionCall' in block && isObject(block.functionCall)) {
    const name = str(block.functionCall.name);
    const id = str(block.functionCall.id) || name;
    toolNames.set(id, name);
    return [{ kind: 'tool_call', id, name, arguments: pretty(block.functionCall.args ?? {}) }];
  }
  if ('functionResponse' in block && isObject(block.functionResponse)) {
    const name = str(block.functionResponse.name);
    return [
      {
        kind: 'tool_result',
        id: str(block.functionResponse.id) || name,
        name,
        content: pretty(block.functionResponse.response ?? ''),
        isError: false,
      },
    ];
  }
  if ('reasoningContent' in block && isObject(block.reasoningContent)) {
    const reasoning = block.reasoningContent.reasoningText;
    return [{ kind: 'reasoning', text: isObject(reasoning) ? str(reasoning.text) : '' }];
  }
  if ('inlineData' in block && isObject(block.inlineData)) {
    const mime = str(block.inlineData.mimeType);
    return [media(mime.split('/')[0] || 'file', mime, block.inlineData.data)];
  }
  if ('fileData' in block && isObject(block.fileData))
    return [media('file', str(block.fileData.mimeType), undefined, block.fileData.fileUri)];
  if ('image' in block && isObject(block.image)) {
    const source = isObject(block.image.source) ? block.image.source : {};
    return [media('image', `image/${str(block.image.format)}`, source.bytes)];
  }
  if ('document' in block && isObject(block.document)) return [media('document', str(block.document.format), undefined)];
  if ('json' in block) return [{ kind: 'text', text: pretty(block.json) }];
  if (typeof block.text === 'string')
    return block.thought === true ? [{ kind: 'reasoning', text: block.text }] : [{ kind: 'text', text: block.text }];
  return [{ kind: 'other', label: type || 'block', json: pretty(block) }];
}

function summaryText(block: Json): string {
  const summary = Array.isArray(block.summary) ? block.summary : [];
  return summary.map((item) => (isObject(item) ? str(item.text) : str(item))).join('\n');
}

function flatParts(content: unknown, toolNames: Map<string, string>): Part[] {
  if (Array.isArray(content)) return content.flatMap((block) => partsOf(block, toolNames));
  return partsOf(content, toolNames);
}

/** Tool results hold text, blocks or JSON: shown as one text. */
function flatText(content: unknown, toolNames: Map<string, string>): string {
  if (typeof content === 'string') return pretty(content);
  if (Array.isArray(content)) {
    return flatParts(content, toolNames)
      .map((part) =>
        part.kind === 'text'
          ? pretty(part.text)
          : part.kind === 'media'
            ? `[${part.media} ${part.mediaType}]`
            : part.kind === 'other'
              ? part.json
              : '',
      )
      .join('\n');
  }
  return pretty(content ?? '');
}

/** OpenAI Chat (and neutral) messages: role, content or parts, tool_calls, tool_call_id. */
function chatMessage(message: Json, toolNames: Map<string, string>): Message {
  const role = str(message.role) || 'user';
  const parts: Part[] = [];
  if (typeof message.reasoning_content === 'string' && message.reasoning_content)
    parts.push({ kind: 'reasoning', text: message.reasoning_content });
  if (role === 'tool' && typeof message.tool_call_id === 'string') {
    const id = message.tool_call_id;
    parts.push({
      kind: 'tool_result',
      id,
      name: toolNames.get(id) ?? str(message.name),
      content: flatText(message.content, toolNames),
      isError: false,
    });
  } else {
    parts.push(...flatParts(message.parts ?? message.content, toolNames));
  }
  if (typeof message.refusal === 'string' && message.refusal) parts.push({ kind: 'text', text: message.refusal });
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    if (!isObject(call)) continue;
    const fn = isObject(call.function) ? call.function : call;
    const id = str(call.id);
    toolNames.set(id, str(fn.name));
    parts.push({ kind: 'tool_call', id, name: str(fn.name), arguments: pretty(fn.arguments ?? {}) });
  }
  if (isObject(message.function_call)) {
    parts.push({
      kind: 'tool_call',
      id: '',
      name: str(message.function_call.name),
      arguments: pretty(message.function_call.arguments ?? {}),
    });
  }
  return { role, ...(typeof message.name === 'string' && role !== 'tool' ? { name: message.name } : {}), parts };
}

/** OpenAI Responses input/output items: messages, function calls and outputs, reasoning. */
function responsesItems(items: unknown, toolNames: Map<string, string>): Message[] {
  if (typeof items === 'string') return [{ role: 'user', parts: [{ kind: 'text', text: items }] }];
  const messages: Message[] = [];
  for (const item of Array.isArray(items) ? items : []) {
    if (!isObject(item)) continue;
    const type = str(item.type);
    if (type === 'function_call' || type === 'custom_tool_call')
      messages.push({
        role: 'assistant',
        parts: partsOf({ ...item, type: 'function_call', arguments: item.arguments ?? item.input }, toolNames),
      });
    else if (type === 'function_call_output' || type === 'custom_tool_call_output')
      messages.push({ role: 'tool', parts: partsOf({ ...item, type: 'function_call_output' }, toolNames) });
    else if (type === 'reasoning')
      messages.push({ role: 'assistant', parts: [{ kind: 'reasoning', text: summaryText(item) || '[reasoning]' }] });
    else if (type === 'message' || 'role' in item)
      messages.push({ role: str(item.role) || 'assistant', parts: flatParts(item.content, toolNames) });
    else messages.push({ role: 'assistant', parts: [{ kind: 'other', label: type || 'item', json: pretty(item) }] });
  }
  return messages;
}

function systemMessage(system: unknown, toolNames: Map<string, string>): Message[] {
  if (system === undefined || system === null || system === '') return [];
  const content = isObject(system) && Array.isArray(system.parts) ? system.parts : system;
  const parts = flatParts(content, toolNames);
  return parts.length > 0 ? [{ role: 'system', parts }] : [];
}

function toolsOf(tools: unknown): Tool[] {
  const out: Tool[] = [];
  for (const tool of Array.isArray(tools) ? tools : []) {
    if (!isObject(tool)) continue;
    if (Array.isArray(tool.functionDeclarations)) {
      for (const fn of tool.functionDeclarations) if (isObject(fn)) out.push({ name: str(fn.name), description: str(fn.description) });
      continue;
    }
    const fn = isObject(tool.function) ? tool.function : isObject(tool.toolSpec) ? tool.toolSpec : tool;
    out.push({ name: str(fn.name) || str(tool.type), description: str(fn.description) });
  }
  return out;
}

/** Is this a messages array of content blocks in Bedrock's untyped style? */
const bedrockStyle = (messages: unknown[]): boolean =>
  messages.some(
    (m) =>
      isObject(m) &&
      Array.isArray(m.content) &&
      m.content.some((b) => isObject(b) && !('type' in b) && ('text' in b || 'toolUse' in b || 'toolResult' in b)),
  );

const anthropicStyle = (doc: Json, messages: unknown[]): boolean =>
  'system' in doc && !Array.isArray(doc.parameters)
    ? true
    : messages.some(
        (m) =>
          isObject(m) &&
          Array.isArray(m.content) &&
          m.content.some((b) => isObject(b) && ['tool_use', 'tool_result', 'thinking', 'image'].includes(str(b.type))),
      );

const REQUEST_KEYS = new Set([
  'model',
  'messages',
  'system',
  'tools',
  'input',
  'instructions',
  'contents',
  'systemInstruction',
  'toolConfig',
  'prompt',
  'parameters',
  'stream_options',
  'metadata',
]);

function parameters(doc: Json): Record<string, unknown> {
  if (isObject(doc.parameters)) return doc.parameters;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc))
    if (!REQUEST_KEYS.has(key) && (typeof value !== 'object' || value === null)) out[key] = value;
  if (isObject(doc.generationConfig)) Object.assign(out, doc.generationConfig);
  if (isObject(doc.inferenceConfig)) Object.assign(out, doc.inferenceConfig);
  return out;
}

/** A request payload as a conversation; null when it is not JSON of a known shape. */
export function requestConversation(json: string): Conversation | null {
  const doc = parse(json);
  if (!isObject(doc)) return typeof doc === 'string' ? plain(doc) : null;
  const toolNames = new Map<string, string>();
  const model = str(doc.model) || str(doc.modelId);
  const base = {
    model,
    tools: toolsOf(doc.tools ?? (isObject(doc.toolConfig) ? doc.toolConfig.tools : undefined)),
    parameters: parameters(doc),
    finishReasons: [],
  };
  if (Array.isArray(doc.contents)) {
    const messages = [
      ...systemMessage(doc.systemInstruction, toolNames),
      ...doc.contents
        .filter(isObject)
        .map((c) => ({ role: str(c.role) === 'model' ? 'assistant' : str(c.role) || 'user', parts: flatParts(c.parts, toolNames) })),
    ];
    return { format: 'gemini', messages, ...base };
  }
  if ('input' in doc && !Array.isArray(doc.messages)) {
    const messages = [...systemMessage(doc.instructions, toolNames), ...responsesItems(doc.input, toolNames)];
    return { format: 'openai.responses', messages, ...base };
  }
  if (Array.isArray(doc.messages)) {
    const list = doc.messages;
    const neutral = list.some((m) => isObject(m) && Array.isArray(m.parts));
    const format: Format = neutral ? 'neutral' : bedrockStyle(list) ? 'bedrock' : anthropicStyle(doc, list) ? 'anthropic' : 'openai.chat';
    const messages = list.filter(isObject).map((m) => chatMessage(m, toolNames));
    // The neutral document repeats an instrumentation's system prompt beside the messages that may hold it already.
    const hasSystem = messages.some((m) => m.role === 'system' || m.role === 'developer');
    return { format, messages: [...(hasSystem ? [] : systemMessage(doc.system, toolNames)), ...messages], ...base };
  }
  if (typeof doc.prompt === 'string' || Array.isArray(doc.prompt)) {
    const prompts = Array.isArray(doc.prompt) ? doc.prompt.map(text) : [doc.prompt as string];
    return { format: 'openai.chat', messages: [{ role: 'user', parts: prompts.map((p) => ({ kind: 'text', text: p })) }], ...base };
  }
  return null;
}

/** A response payload as the assistant's messages and the finish reasons; null when unknown. */
export function responseConversation(json: string): Conversation | null {
  const doc = parse(json);
  if (!isObject(doc)) return typeof doc === 'string' ? plain(doc, 'assistant') : null;
  const toolNames = new Map<string, string>();
  const base = { model: str(doc.model) || str(doc.modelVersion), tools: [], parameters: {} };
  if (Array.isArray(doc.choices)) {
    const choices = doc.choices.filter(isObject);
    return {
      format: 'openai.chat',
      messages: choices.map((c) =>
        chatMessage(isObject(c.message) ? c.message : isObject(c.delta) ? c.delta : { role: 'assistant', content: c.text }, toolNames),
      ),
      finishReasons: choices.map((c) => str(c.finish_reason)).filter(Boolean),
      ...base,
    };
  }
  if (Array.isArray(doc.candidates)) {
    const candidates = doc.candidates.filter(isObject);
    return {
      format: 'gemini',
      messages: candidates.map((c) => ({ role: 'assistant', parts: flatParts(isObject(c.content) ? c.content.parts : [], toolNames) })),
      finishReasons: candidates.map((c) => str(c.finishReason)).filter(Boolean),
      ...base,
    };
  }
  if (Array.isArray(doc.output)) {
    const incomplete = isObject(doc.incomplete_details) ? str(doc.incomplete_details.reason) : '';
    return {
      format: 'openai.responses',
      messages: responsesItems(doc.output, toolNames),
      finishReasons: [incomplete || str(doc.status)].filter(Boolean),
      ...base,
    };
  }
  if (isObject(doc.output) && isObject(doc.output.message)) {
    return {
      format: 'bedrock',
      messages: [chatMessage(doc.output.message, toolNames)],
      finishReasons: [str(doc.stopReason)].filter(Boolean),
      ...base,
    };
  }
  if (Array.isArray(doc.content) && ('stop_reason' in doc || str(doc.type) === 'message')) {
    return {
      format: 'anthropic',
      messages: [{ role: str(doc.role) || 'assistant', parts: flatParts(doc.content, toolNames) }],
      finishReasons: [str(doc.stop_reason)].filter(Boolean),
      ...base,
    };
  }
  if (Array.isArray(doc.messages)) {
    const reasons = Array.isArray(doc.finish_reasons) ? doc.finish_reasons.map(str).filter(Boolean) : [];
    return {
      format: 'neutral',
      messages: doc.messages.filter(isObject).map((m) => chatMessage(m, toolNames)),
      finishReasons: reasons,
      ...base,
    };
  }
  return null;
}

function plain(value: string, role = 'user'): Conversation {
  return {
    format: 'text',
    model: '',
    messages: [{ role, parts: [{ kind: 'text', text: value }] }],
    tools: [],
    parameters: {},
    finishReasons: [],
  };
}

function parse(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    return undefined;
  }
}

/** The conversation as plain text, one block per message: what the compare view diffs. */
export function conversationText(conversation: Conversation | null): string {
  if (!conversation) return '';
  return conversation.messages
    .map((message) => {
      const body = message.parts
        .map((part) => {
          switch (part.kind) {
            case 'text':
              return part.text;
            case 'reasoning':
              return `[reasoning]\n${part.text}`;
            case 'tool_call':
              return `[tool call ${part.name}]\n${part.arguments}`;
            case 'tool_result':
              return `[tool result ${part.name || part.id}]\n${part.content}`;
            case 'media':
              return `[${part.media} ${part.mediaType}${part.bytes === null ? '' : ` ${part.bytes} bytes`}]`;
            case 'other':
              return part.json;
          }
        })
        .join('\n');
      return `## ${message.role}${message.name ? ` (${message.name})` : ''}\n${body}`;
    })
    .join('\n\n');
}
