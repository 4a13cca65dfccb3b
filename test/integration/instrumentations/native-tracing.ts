/**
 * The cases every instrumentation of the Anthropic SDK runs with the SDK's own tracing on: two
 * spans per call (the instrumentation's and the SDK's), and one row for each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenColumns } from '../../support/token-truth.js';
import { anthropicCalls, type AnthropicConstructor } from './anthropic-calls.js';
import { expectRows, TIME_TO_FIRST_TOKEN, type ExpectedRow } from './expected.js';
import { DEFAULT_SETUP, SPLIT_SETUPS, type Lab } from './harness.js';

export interface NativeTracingRows {
  /** A successful call's row, with these fields. */
  row(fields: ExpectedRow): ExpectedRow;
  tokens(scenario: 'text' | 'tool-call'): TokenColumns;
  /** The row of the rate-limited call. */
  rateLimited: ExpectedRow;
}

export function describeNativeTracing(lab: () => Lab, Anthropic: () => AnthropicConstructor, expected: NativeTracingRows): void {
  describe('with the SDK’s own tracing on: two spans per call, one row', () => {
    describeCalls(lab, Anthropic, expected);
    // Either span of a call may be handed over first: exported one by one, or in batches that end mid-call.
    describe.each(SPLIT_SETUPS)('spans exported $delivery, context processor: $contextProcessor', (setup) => {
      beforeAll(() => lab().use(setup));
      afterAll(() => lab().use(DEFAULT_SETUP));
      describeCalls(lab, Anthropic, expected);
    });
  });
}

function describeCalls(lab: () => Lab, Anthropic: () => AnthropicConstructor, expected: NativeTracingRows): void {
  const { row, tokens } = expected;
  let calls: ReturnType<typeof anthropicCalls>;
  beforeAll(() => {
    calls = anthropicCalls(Anthropic(), lab().fake, true);
  });

  it('writes one row with the inclusive usage for a cached message', async () => {
    const result = await lab().run(calls.cached);
    expect(result.spans).toHaveLength(2);
    expectRows(result, [row({ ...tokens('text'), finish_reasons: ['stop'] })]);
  });

  it('writes one row with the time to first token for a stream', async () => {
    expectRows(await lab().run(calls.stream), [
      row({ ...tokens('text'), finish_reasons: ['stop'], time_to_first_token_ms: TIME_TO_FIRST_TOKEN }),
    ]);
  });

  // The helper's request span is not a child of the instrumentation's: the two spans are separate traces.
  it('writes one row for the messages.stream() helper', async () => {
    expectRows(await lab().run(calls.streamHelper), [
      row({ ...tokens('text'), finish_reasons: ['stop'], time_to_first_token_ms: TIME_TO_FIRST_TOKEN }),
    ]);
  });

  it('writes one row for a tool use', async () => {
    expectRows(await lab().run(calls.toolUse), [row({ ...tokens('tool-call'), finish_reasons: ['tool_calls'] })]);
  });

  it('writes one row for a failed call', async () => {
    const result = await lab().run(calls.rateLimited);
    expect(result.spans).toHaveLength(2);
    expectRows(result, [expected.rateLimited]);
  });
}
