/**
 * Spans captured from the real instrumentation libraries (test/fixtures/spans, written by the
 * capture scripts; format in their FINDINGS.md) turned back into `ReadableSpan`s, plus the fake
 * provider's usage restated under this package's inclusive token semantics.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Attributes, HrTime, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { TokenUsage } from '../../../src/detect/llm-call.js';
import { makeSpan } from '../../support/spans.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/spans/', import.meta.url));

type Json = Record<string, unknown>;

export interface FixtureCall {
  api: string;
  model: string;
  scenario: string;
  stream: boolean;
  status: number;
  usage: Json | null;
}

interface FixtureSpan {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string | null;
  startTime: HrTime;
  endTime: HrTime;
  status: { code: number; message?: string | null };
  attributes: Record<string, unknown>;
  events: Array<{ name: string; time: HrTime; attributes?: Record<string, unknown> }>;
  resource: Attributes;
  scope: { name: string; version?: string | null };
}

export interface SpanFixture {
  /** `<library dir>/<scenario>.json`, for test names. */
  file: string;
  library: string;
  version: string;
  scenario: string;
  provider: { usage: Json | null; calls: FixtureCall[] };
  thrown?: string;
  spans: ReadableSpan[];
}

/** One directory per captured `library@major`. */
export function fixtureDirs(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

export function loadFixtures(dir: string): SpanFixture[] {
  return readdirSync(`${FIXTURES}${dir}`)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => loadFixture(`${dir}/${name.slice(0, -'.json'.length)}`));
}

/** `dir/scenario`, e.g. `ai@5/stream-text-anthropic`. */
export function loadFixture(path: string): SpanFixture {
  // The capture writes NaN and infinities (AI SDK 4 puts NaN token counts on spans) as markers.
  const raw = JSON.parse(readFileSync(`${FIXTURES}${path}.json`, 'utf8'), (_key, value: unknown) =>
    value !== null && typeof value === 'object' && '$nonFinite' in value ? Number((value as { $nonFinite: string }).$nonFinite) : value,
  ) as Omit<SpanFixture, 'spans' | 'file'> & { spans: FixtureSpan[] };
  return { ...raw, file: `${path}.json`, spans: raw.spans.map(toReadableSpan) };
}

function toReadableSpan(span: FixtureSpan): ReadableSpan {
  return makeSpan({
    name: span.name,
    kind: span.kind,
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? undefined,
    startTime: span.startTime,
    endTime: span.endTime,
    status: { code: span.status.code, message: span.status.message ?? undefined },
    attributes: withoutNulls(span.attributes),
    events: span.events.map((event) => ({ name: event.name, time: event.time, attributes: withoutNulls(event.attributes ?? {}) })),
    resource: span.resource,
    scope: { name: span.scope.name, version: span.scope.version ?? undefined },
  });
}

/** JSON has no `undefined`: the SDK's unset values were written as null. */
function withoutNulls(values: Record<string, unknown>): Attributes {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value ?? undefined])) as Attributes;
}

/**
 * What the fake provider sent, as inclusive usage: OpenAI prompt/input counts include cached
 * tokens and output counts include reasoning; Anthropic and Bedrock input excludes cache reads and writes.
 */
export function providerTruth(call: FixtureCall): TokenUsage | undefined {
  const u = call.usage;
  if (u === null) return undefined;
  const at = (...path: string[]): number | undefined => {
    let value: unknown = u;
    for (const key of path) value = value !== null && typeof value === 'object' ? (value as Json)[key] : undefined;
    return typeof value === 'number' ? value : undefined;
  };
  switch (call.api) {
    case 'openai.chat':
    case 'openai.embeddings':
      return {
        promptTokens: at('prompt_tokens'),
        completionTokens: at('completion_tokens'),
        totalTokens: at('total_tokens'),
        cachedInputTokens: at('prompt_tokens_details', 'cached_tokens'),
        reasoningTokens: at('completion_tokens_details', 'reasoning_tokens'),
      };
    case 'openai.responses':
      return {
        promptTokens: at('input_tokens'),
        completionTokens: at('output_tokens'),
        totalTokens: at('total_tokens'),
        cachedInputTokens: at('input_tokens_details', 'cached_tokens'),
        reasoningTokens: at('output_tokens_details', 'reasoning_tokens'),
      };
    case 'anthropic.messages': {
      const prompt = at('input_tokens')! + at('cache_read_input_tokens')! + at('cache_creation_input_tokens')!;
      return {
        promptTokens: prompt,
        completionTokens: at('output_tokens'),
        totalTokens: prompt + at('output_tokens')!,
        cachedInputTokens: at('cache_read_input_tokens'),
        cacheWriteTokens: at('cache_creation_input_tokens'),
        reasoningTokens: at('output_tokens_details', 'thinking_tokens'),
      };
    }
    case 'bedrock.converse': {
      const prompt = at('inputTokens')! + (at('cacheReadInputTokens') ?? 0) + (at('cacheWriteInputTokens') ?? 0);
      return {
        promptTokens: prompt,
        completionTokens: at('outputTokens'),
        totalTokens: prompt + at('outputTokens')!,
        cachedInputTokens: at('cacheReadInputTokens'),
        cacheWriteTokens: at('cacheWriteInputTokens'),
      };
    }
    default:
      throw new Error(`fixture API ${call.api} has no inclusive mapping here; add one to providerTruth`);
  }
}
