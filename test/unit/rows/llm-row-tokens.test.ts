import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { detectLlmCall } from '../../../src/detect/detect.js';
import { toLlmRow, type InvalidValue } from '../../../src/rows/llm-row.js';
import { makeSpan } from '../../support/spans.js';

/** An OpenAI chat span reporting these counts, as an llm_traces row, with the values it dropped. */
function rowWith(usage: Record<string, number | string>) {
  const attributes = {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    ...usage,
  };
  const span = makeSpan({ name: 'chat gpt-4o-mini', kind: SpanKind.CLIENT, attributes });
  const call = detectLlmCall(span);
  if (!call) throw new Error('not detected as an LLM call');
  const dropped: InvalidValue[] = [];
  const row = toLlmRow(span, call, { onInvalidValue: (value) => dropped.push(value) });
  return { row, dropped };
}

describe('token counts the engine could not store truthfully', () => {
  it.each([
    ['1e300', 1e300],
    ['1e21 (the engine refuses it)', 1e21],
    ['1e21 as a string', '1e21'],
    ['1e20 (would be stored wrapped)', 1e20],
    ['2^64', 2 ** 64],
    ['2^53 + 2 (not exact as a double)', 2 ** 53 + 2],
    ['a fraction', 10.5],
  ])('input_tokens = %s: usage unknown (not zero, not wrapped), the value counted', (_, value) => {
    const { row, dropped } = rowWith({ 'gen_ai.usage.input_tokens': value, 'gen_ai.usage.output_tokens': 20 });
    expect(row).toMatchObject({ has_usage: false, prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 });
    expect(row.cost_usd).toBeNull();
    expect(dropped).toEqual([{ column: 'prompt_tokens', value: Number(value) }]);
  });

  it('an out-of-range optional count becomes NULL, a bad total is recomputed, the rest of the usage stays', () => {
    const span = makeSpan({ kind: SpanKind.CLIENT });
    const dropped: InvalidValue[] = [];
    const row = toLlmRow(
      span,
      {
        provider: 'openai',
        model: 'gpt-4o-mini',
        usage: { promptTokens: 100, completionTokens: 20, totalTokens: 1e20, reasoningTokens: 0.5 },
      },
      { onInvalidValue: (value) => dropped.push(value) },
    );
    expect(row).toMatchObject({ has_usage: true, prompt_tokens: 100, completion_tokens: 20, total_tokens: 120, reasoning_tokens: null });
    expect(dropped).toEqual([
      { column: 'total_tokens', value: 1e20 },
      { column: 'reasoning_tokens', value: 0.5 },
    ]);
  });

  it('keeps the largest exact count and drops nothing in range', () => {
    const { row, dropped } = rowWith({ 'gen_ai.usage.input_tokens': 2 ** 53 - 1, 'gen_ai.usage.output_tokens': 0 });
    expect(row).toMatchObject({ has_usage: true, prompt_tokens: 2 ** 53 - 1, completion_tokens: 0 });
    expect(dropped).toEqual([]);
  });
});
