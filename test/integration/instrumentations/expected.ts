/**
 * What the `llm_traces` columns must hold, derived from the fake provider's known numbers and the
 * contract (src/model/llm-call.ts): tokens are inclusive (prompt counts cache reads and writes,
 * completion counts reasoning), "not reported" is NULL or `has_usage = false`, never a made-up 0.
 */
import { expect } from 'vitest';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { LlmRow, ScenarioResult } from './harness.js';
import { NO_USAGE } from '../../support/token-truth.js';
import { CLAUDE_MODEL, CLAUDE_RESPONSE_MODEL } from './anthropic-calls.js';
import { CHAT_MODEL, CHAT_RESPONSE_MODEL } from './openai-calls.js';

/** A row as a test expects it: exact values or vitest asymmetric matchers. */
export type ExpectedRow = { [K in keyof LlmRow]?: unknown };

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

/** A successful chat call's row without a time to first token; `fields` override any of it. */
export const chatRow = (fields: ExpectedRow): ExpectedRow => ({ call_type: 'chat', time_to_first_token_ms: null, ...SUCCEEDED, ...fields });

/** The row of a successful OpenAI chat call to the fake provider (its requested and answering models). */
export const openAiChatRow = (fields: ExpectedRow): ExpectedRow =>
  chatRow({ provider: 'openai', model: CHAT_RESPONSE_MODEL, request_model: CHAT_MODEL, ...fields });

/** The row of a successful Anthropic Messages call to the fake provider. */
export const anthropicChatRow = (fields: ExpectedRow): ExpectedRow =>
  chatRow({ provider: 'anthropic', model: CLAUDE_RESPONSE_MODEL, request_model: CLAUDE_MODEL, ...fields });

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
