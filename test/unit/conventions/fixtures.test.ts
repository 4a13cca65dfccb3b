/**
 * Every captured span of the libraries the OpenInference, OpenLLMetry and Vercel AI SDK modules
 * read goes through detection: one call per provider request, aggregates never a call, and
 * token counts equal to what the fake provider sent, under inclusive semantics.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { detectLlmCall } from '../../../src/detect/detect.js';
import type { LlmCall } from '../../../src/model/llm-call.js';
import { readVercelAi } from '../../../src/conventions/vercel-ai.js';
import { makeSpan } from '../../support/spans.js';
import { fixtureDirs, loadFixtures, providerTruth, type SpanFixture } from '../../support/span-fixtures.js';

const OWN_LIBRARIES = /^(ai|openinference-.*|traceloop-.*)@/;

// Emitters that report Anthropic's raw input and drop the cache counts: nothing can restore them.
const CACHE_DROPPED = new Set(['traceloop-anthropic@0.22']);

/** The detected calls in request order (spans sorted by start time). */
function detectedCalls(fixture: SpanFixture): Array<{ span: ReadableSpan; call: LlmCall }> {
  return fixture.spans
    .map((span) => ({ span, call: detectLlmCall(span) }))
    .filter((detected): detected is { span: ReadableSpan; call: LlmCall } => detected.call !== undefined)
    .sort((a, b) => a.span.startTime[0] - b.span.startTime[0] || a.span.startTime[1] - b.span.startTime[1]);
}

/** Whether the span carries any finite token count (AI SDK 4 writes NaN when it has none). */
function hasTokenCounts(span: ReadableSpan): boolean {
  return Object.entries(span.attributes).some(([key, value]) => /(usage|token_count)\./.test(key) && Number.isFinite(value));
}

/**
 * The native Anthropic SDK tracing adds a second LLM span under the instrumentation's own
 * (`with-native-*`), and AI SDK 7's default output is the GenAI module's: both are left out.
 */
function ownFixtures(dir: string): SpanFixture[] {
  return loadFixtures(dir).filter((fixture) => !fixture.scenario.includes('with-native') && !fixture.scenario.startsWith('genai-'));
}

describe.each(fixtureDirs().filter((dir) => OWN_LIBRARIES.test(dir)))('%s', (dir) => {
  it.each(ownFixtures(dir).map((fixture) => [fixture.scenario, fixture] as const))('%s', (_scenario, fixture) => {
    const calls = detectedCalls(fixture);
    // A library that emits no span for a request (failed OpenAI calls under Traceloop and
    // OpenInference, Traceloop's Responses API and embeddings) gives no row.
    expect(calls).toHaveLength(fixture.spans.length === 0 ? 0 : fixture.provider.calls.length);
    calls.forEach(({ span, call }, i) => {
      const request = fixture.provider.calls[i]!;
      if (request.status >= 400) {
        expect(call.error).toBeDefined();
        expect(call.usage).toBeUndefined();
        return;
      }
      expect(call.usage !== undefined).toBe(hasTokenCounts(span));
      if (call.usage === undefined) return;
      const truth = providerTruth(request)!;
      const dropped = CACHE_DROPPED.has(dir) ? (truth.cachedInputTokens ?? 0) + (truth.cacheWriteTokens ?? 0) : 0;
      expect(call.usage.promptTokens).toBe(truth.promptTokens! - dropped);
      expect(call.usage.completionTokens).toBe(truth.completionTokens);
      expect(call.usage.totalTokens).toBe(truth.totalTokens! - dropped);
      for (const detail of ['cachedInputTokens', 'cacheWriteTokens', 'reasoningTokens'] as const) {
        // Not every emitter reports every detail; what it reports must be the provider's number.
        if (call.usage[detail] !== undefined) expect(call.usage[detail]).toBe(truth[detail]);
      }
    });
  });
});

describe('AI SDK 7 GenAI-semconv output', () => {
  it('is left to the GenAI module: the AI SDK module claims none of its spans', () => {
    const spans = loadFixtures('ai@7')
      .filter((fixture) => fixture.scenario.startsWith('genai-'))
      .flatMap((fixture) => fixture.spans);
    expect(spans.length).toBeGreaterThan(0);
    for (const span of spans) expect(readVercelAi(span)).toBeUndefined();
  });
});

describe('hostile attribute values', () => {
  // Attribute limits truncate strings; careless callers set objects and nulls through casts.
  const values: unknown[] = [
    null,
    '',
    '{',
    '[',
    'null',
    '[1,"a",null]',
    '{"a":{"b":[]}}',
    42,
    NaN,
    -1,
    true,
    [],
    [null, 3],
    {},
    { toString: null },
  ];
  const bases: Record<string, Record<string, unknown>> = {
    vercel: { 'ai.operationId': 'ai.streamText.doStream', 'ai.request.headers.user-agent': 'ai/5.0.0' },
    openinference: { 'openinference.span.kind': 'LLM' },
    traceloop: { 'llm.request.type': 'chat' },
  };
  const keys = [
    'ai.prompt.messages',
    'ai.prompt.tools',
    'ai.prompt.toolChoice',
    'ai.response.toolCalls',
    'ai.response.providerMetadata',
    'ai.response.text',
    'ai.usage.inputTokens',
    'ai.usage.promptTokens',
    'ai.model.provider',
    'ai.request.headers.user-agent',
    'ai.telemetry.metadata.userId',
    'ai.settings.context.x',
    'metadata',
    'llm.invocation_parameters',
    'input.value',
    'output.value',
    'llm.input_messages.0.message.content',
    'llm.input_messages.0.message.contents.0.message_content.type',
    'llm.tools.0.tool.json_schema',
    'llm.token_count.prompt',
    'tag.tags',
    'gen_ai.prompt.0.content',
    'gen_ai.completion.0.tool_calls.0.arguments',
    'llm.usage.total_tokens',
    'traceloop.association.properties.user_id',
    'llm.request.functions.0.arguments',
  ];
  it.each(Object.entries(bases))('never throw from the %s module', (_name, base) => {
    for (const key of keys) {
      for (const value of values) {
        const span = makeSpan({
          attributes: { ...base, [key]: value } as Attributes,
          scope: { name: '@arizeai/openinference-instrumentation-anthropic' },
        });
        expect(() => detectLlmCall(span)).not.toThrow();
      }
    }
  });
});
