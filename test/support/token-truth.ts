/**
 * The one truth oracle for token counts: what the fake provider sent (test/support/fake-provider.ts),
 * restated as the `llm_traces` token columns under the contract's inclusive semantics
 * (src/model/llm-call.ts): prompt counts cache reads and writes, completion counts reasoning, and
 * "not reported" is NULL or `has_usage = false`, never a made-up 0.
 */
import type { LlmTraceRow } from '../../src/rows/llm-row.js';
import type { FakeApi } from './fake-provider.js';

export type TokenColumns = Pick<
  LlmTraceRow,
  'has_usage' | 'prompt_tokens' | 'completion_tokens' | 'total_tokens' | 'cached_input_tokens' | 'cache_write_tokens' | 'reasoning_tokens'
>;

export const NO_USAGE: TokenColumns = {
  has_usage: false,
  prompt_tokens: 0,
  completion_tokens: 0,
  total_tokens: 0,
  cached_input_tokens: null,
  cache_write_tokens: null,
  reasoning_tokens: null,
};

type Usage = Record<string, unknown>;

/**
 * A provider's raw usage object (as the fake provider sent it) in the contract's inclusive
 * terms. Anthropic and Bedrock report input without cache reads and writes; OpenAI includes them.
 */
export function inclusiveTokens(api: FakeApi, usage: Usage): TokenColumns {
  switch (api) {
    case 'openai.chat':
      return columns(num(usage, 'prompt_tokens'), num(usage, 'completion_tokens'), {
        cached: num(usage, 'prompt_tokens_details', 'cached_tokens'),
        reasoning: num(usage, 'completion_tokens_details', 'reasoning_tokens'),
      });
    case 'openai.responses':
      return columns(num(usage, 'input_tokens'), num(usage, 'output_tokens'), {
        cached: num(usage, 'input_tokens_details', 'cached_tokens'),
        reasoning: num(usage, 'output_tokens_details', 'reasoning_tokens'),
      });
    case 'openai.embeddings':
      return columns(num(usage, 'prompt_tokens'), 0, {});
    case 'anthropic.messages': {
      const cached = num(usage, 'cache_read_input_tokens');
      const written = num(usage, 'cache_creation_input_tokens');
      return columns(num(usage, 'input_tokens') + cached + written, num(usage, 'output_tokens'), {
        cached,
        written,
        reasoning: optionalNum(usage, 'output_tokens_details', 'thinking_tokens'),
      });
    }
    case 'bedrock.converse': {
      const cached = num(usage, 'cacheReadInputTokens');
      const written = num(usage, 'cacheWriteInputTokens');
      return columns(num(usage, 'inputTokens') + cached + written, num(usage, 'outputTokens'), { cached, written });
    }
  }
}

/** Columns an emitter does not carry are NULL, whatever the provider sent. */
export function notCarried(
  tokens: TokenColumns,
  ...keys: Array<'cached_input_tokens' | 'cache_write_tokens' | 'reasoning_tokens'>
): TokenColumns {
  return { ...tokens, ...Object.fromEntries(keys.map((key) => [key, null])) };
}

/**
 * For emitters that report the provider's input count without cache reads and writes and drop the
 * cache counts: the inclusive number is not on the span, so the row can only hold the fresh input.
 */
export function cacheExcludedAndDropped(tokens: TokenColumns): TokenColumns {
  const prompt = tokens.prompt_tokens - (tokens.cached_input_tokens ?? 0) - (tokens.cache_write_tokens ?? 0);
  return {
    ...tokens,
    prompt_tokens: prompt,
    total_tokens: prompt + tokens.completion_tokens,
    cached_input_tokens: null,
    cache_write_tokens: null,
  };
}

function columns(prompt: number, completion: number, details: { cached?: number; written?: number; reasoning?: number }): TokenColumns {
  return {
    has_usage: true,
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    cached_input_tokens: details.cached ?? null,
    cache_write_tokens: details.written ?? null,
    reasoning_tokens: details.reasoning ?? null,
  };
}

function optionalNum(usage: Usage, ...path: string[]): number | undefined {
  let value: unknown = usage;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Usage)[key] : undefined;
  return typeof value === 'number' ? value : undefined;
}

function num(usage: Usage, ...path: string[]): number {
  const value = optionalNum(usage, ...path);
  if (value === undefined) throw new Error(`usage has no number at ${path.join('.')}: ${JSON.stringify(usage)}`);
  return value;
}
