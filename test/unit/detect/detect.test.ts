/** Detection never throws, whatever an attribute holds. */
import type { Attributes } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { detectLlmCall } from '../../../src/detect/detect.js';
import { makeSpan } from '../../support/spans.js';

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
