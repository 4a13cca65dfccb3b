/**
 * What the `llm_traces` columns must hold, derived from the fake provider's known numbers and the
 * contract (src/detect/llm-call.ts): tokens are inclusive (prompt counts cache reads and writes,
 * completion counts reasoning), "not reported" is NULL or `has_usage = false`, never a made-up 0.
 */
import { expect } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FakeApi } from '../../support/fake-provider.js';
import type { LlmRow, ScenarioResult } from './harness.js';

export type TokenColumns = Pick<
  LlmRow,
  'has_usage' | 'prompt_tokens' | 'completion_tokens' | 'total_tokens' | 'cached_input_tokens' | 'cache_write_tokens' | 'reasoning_tokens'
>;

/** A row as a test expects it: exact values or vitest asymmetric matchers. */
export type ExpectedRow = { [K in keyof LlmRow]?: unknown };

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

/** The messages the fake provider's error bodies carry (test/support/fake-provider.ts). */
export const PROVIDER_ERROR_MESSAGES = {
  openai: {
    400: "Invalid value for 'temperature': expected a number between 0 and 2.",
    401: 'Incorrect API key provided: sk-fake.',
    429: 'Rate limit reached for requests. Please try again in 20s.',
    500: 'The server had an error while processing your request.',
  },
  anthropic: {
    400: 'max_tokens: Field required',
    429: 'Number of request tokens has exceeded your per-minute rate limit.',
    500: 'Internal server error',
  },
  bedrock: {
    400: 'The provided request is not valid',
    429: 'Too many requests, please wait before trying again.',
  },
} as const;

/** A failed call: flagged, no usage, the `error` finish reason, and the type and message the span carries. */
export function failed(errorType: unknown, errorMessage: unknown): ExpectedRow {
  return {
    ...NO_USAGE,
    is_error: true,
    error_type: errorType,
    error_message: errorMessage,
    finish_reasons: ['error'],
    time_to_first_token_ms: null,
  };
}

export const SUCCEEDED: ExpectedRow = { is_error: false, error_type: '', error_message: '' };

// The fake provider waits 30 ms before a stream's first event; a little slack for timer rounding.
const FIRST_EVENT_DELAY_MS = 30;

/** A reported time to first token: at least the fake provider's first-event delay. */
export const TIME_TO_FIRST_TOKEN = expect.toSatisfy(
  (ms: unknown) => typeof ms === 'number' && ms >= FIRST_EVENT_DELAY_MS - 5 && ms < 10_000,
  `a time to first token of at least the fake provider's ${FIRST_EVENT_DELAY_MS} ms first-event delay`,
);

/**
 * The scenario's rows are exactly `expected`, in span start order (so the row count is checked
 * too: one LLM call, one row). On failure the message lists the spans' relevant attributes.
 */
export function expectRows(result: ScenarioResult, expected: ExpectedRow[]): void {
  expect(result.rows, evidence(result)).toMatchObject(expected);
  for (const row of result.rows) {
    if (row.time_to_first_token_ms !== null)
      expect(row.time_to_first_token_ms, `TTFT of ${row.span_name}`).toBeLessThanOrEqual(row.latency_ms);
  }
}

const EVIDENCE_KEYS =
  /token|usage|model|finish|stop_reason|provider|system|operation\.name|span\.kind|error|status_code|time_to_first|msToFirst|metadata|conversation|session|user/i;

/** The spans of a scenario, with the attributes detection reads, for failure messages. */
function evidence(result: ScenarioResult): string {
  const lines = result.spans.map((span) => {
    const attributes = Object.entries(span.attributes)
      .filter(([key]) => EVIDENCE_KEYS.test(key))
      .map(([key, value]) => `${key}=${clip(value)}`);
    return `  ${describeSpan(span)}\n    ${attributes.join('\n    ')}`;
  });
  return `spans (${result.spans.length}) and provider calls (${result.calls.length}):\n${lines.join('\n')}`;
}

function describeSpan(span: ReadableSpan): string {
  const status = span.status.code === 2 ? ` ERROR(${clip(span.status.message ?? '')})` : '';
  const events = span.events.map((event) => event.name).join(',');
  const ids = `span ${span.spanContext().spanId} parent ${span.parentSpanContext?.spanId ?? '(root)'}`;
  return `'${span.name}' [${span.instrumentationScope.name}@${span.instrumentationScope.version ?? '?'}] ${ids}${status}${events ? ` events=${events}` : ''}`;
}

function clip(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
