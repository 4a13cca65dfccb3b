/**
 * Value normalizations shared by every convention and provider parser: provider names to the
 * OTel `gen_ai.provider.name` values, finish reasons to one vocabulary, and lenient number reads.
 */

// Prefix -> gen_ai.provider.name. Order matters: longer, more specific prefixes first.
// Sources: OTel GenAI registry (gen_ai.system deprecated values), AI SDK provider ids
// (`openai.chat`, `google.vertex.chat`, `amazon-bedrock`), OpenLLMetry's capitalized names.
const PROVIDER_PREFIXES: ReadonlyArray<readonly [string, string]> = [
  ['azure.ai.openai', 'azure.ai.openai'],
  ['az.ai.openai', 'azure.ai.openai'],
  ['azure-openai', 'azure.ai.openai'],
  ['azure.ai.inference', 'azure.ai.inference'],
  ['az.ai.inference', 'azure.ai.inference'],
  ['azure', 'azure.ai.openai'],
  ['gcp.vertex_ai', 'gcp.vertex_ai'],
  ['vertex_ai', 'gcp.vertex_ai'],
  ['vertexai', 'gcp.vertex_ai'],
  ['vertex', 'gcp.vertex_ai'],
  ['google.vertex', 'gcp.vertex_ai'],
  ['google-vertex', 'gcp.vertex_ai'],
  ['gcp.gen_ai', 'gcp.gen_ai'],
  ['gcp.gemini', 'gcp.gemini'],
  ['google.generative-ai', 'gcp.gemini'],
  ['google_ai', 'gcp.gemini'],
  ['google-ai', 'gcp.gemini'],
  ['gemini', 'gcp.gemini'],
  ['google', 'gcp.gemini'],
  ['aws.bedrock', 'aws.bedrock'],
  ['amazon-bedrock', 'aws.bedrock'],
  ['amazon_bedrock', 'aws.bedrock'],
  ['bedrock', 'aws.bedrock'],
  ['aws', 'aws.bedrock'],
  ['amazon', 'aws.bedrock'],
  ['ibm.watsonx', 'ibm.watsonx.ai'],
  ['watsonx', 'ibm.watsonx.ai'],
  ['mistralai', 'mistral_ai'],
  ['mistral', 'mistral_ai'],
  ['x_ai', 'x_ai'],
  ['xai', 'x_ai'],
  ['openai', 'openai'],
  ['anthropic', 'anthropic'],
  ['cohere', 'cohere'],
  ['deepseek', 'deepseek'],
  ['groq', 'groq'],
  ['perplexity', 'perplexity'],
  ['moonshot', 'moonshot_ai'],
  ['ollama', 'ollama'],
  ['openrouter', 'openrouter'],
];

/** `OpenAI`, `openai.chat`, `google.generative-ai`, `AWS` -> `openai`, `openai`, `gcp.gemini`, `aws.bedrock`. */
export function normalizeProvider(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const value = raw.trim().toLowerCase();
  if (value === '') return undefined;
  for (const [prefix, name] of PROVIDER_PREFIXES) {
    if (
      value === prefix ||
      value.startsWith(prefix + '.') ||
      value.startsWith(prefix + '-') ||
      value.startsWith(prefix + '_') ||
      value.startsWith(prefix + '/')
    ) {
      return name;
    }
  }
  return value;
}

const FINISH_REASONS: Record<string, string> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  complete: 'stop',
  completed: 'stop',
  eos: 'stop',
  finish_reason_stop: 'stop',
  length: 'length',
  max_tokens: 'length',
  max_output_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_calls: 'tool_calls',
  tool_call: 'tool_calls',
  'tool-calls': 'tool_calls',
  tool_use: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
  'content-filter': 'content_filter',
  safety: 'content_filter',
  recitation: 'content_filter',
  blocklist: 'content_filter',
  prohibited_content: 'content_filter',
  spii: 'content_filter',
  refusal: 'content_filter',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
  model_length: 'length',
  error: 'error',
};

/**
 * One vocabulary for finish reasons: `stop`, `length`, `tool_calls`, `content_filter`, `error`.
 * Provider spellings (Anthropic `end_turn`, Gemini `MAX_TOKENS`, AI SDK `tool-calls`, Bedrock
 * `guardrail_intervened`) map onto it; anything else is kept lower-cased.
 */
export function normalizeFinishReason(raw: string): string {
  const value = raw.trim().toLowerCase();
  return FINISH_REASONS[value] ?? value;
}

export function normalizeFinishReasons(raw: readonly string[] | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const out = raw.filter((r) => typeof r === 'string' && r.trim() !== '').map(normalizeFinishReason);
  return out.length > 0 ? out : undefined;
}

/**
 * A token count from any attribute or JSON value: numbers and numeric strings, as reported.
 * Anything else (negative, NaN, Infinity, objects, empty) is "not reported" rather than a made-up
 * number. A reported count that no provider bills (a fraction, 1e21) is kept here so that the row
 * can drop it and count it (isStorableCount), rather than round it into a plausible one.
 */
export function toCount(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) return undefined;
  return n;
}

/**
 * A whole number of tokens that a UInt64 column stores as it is: at most 2^53 - 1, past which a
 * double is no longer exact (and past 2^64 ClickHouse would wrap it, past 1e21 refuse the row).
 */
export function isStorableCount(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** A non-empty trimmed string, or undefined. */
export function toText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** Longest error message kept; provider messages can embed whole prompts or stack traces. */
export const MAX_ERROR_MESSAGE_LENGTH = 1000;

/** An error message cut to MAX_ERROR_MESSAGE_LENGTH, never leaving half of a surrogate pair at the cut. */
export function capErrorMessage(message: string): string {
  if (message.length <= MAX_ERROR_MESSAGE_LENGTH) return message;
  const last = message.charCodeAt(MAX_ERROR_MESSAGE_LENGTH - 1);
  const end = last >= 0xd800 && last <= 0xdbff ? MAX_ERROR_MESSAGE_LENGTH - 1 : MAX_ERROR_MESSAGE_LENGTH;
  return message.slice(0, end);
}
