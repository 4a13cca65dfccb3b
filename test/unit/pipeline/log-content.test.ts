/**
 * The holding area of GenAI content from log records (pipeline/log-content.ts) and the processor
 * in front of it: what is joined, what is late, what waits too long or overflows the bounds, and
 * which records are not content at all. The join through the real instrumentation and storage is
 * test/integration/instrumentations/otel-openai-content.test.ts.
 */
import { diag, DiagLogLevel, ROOT_CONTEXT, trace, TraceFlags, type DiagLogger } from '@opentelemetry/api';
import { logs } from '@opentelemetry/api-logs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { GenAiContentLogProcessor, installGenAiContentLogs, type GenAiLogRecord } from '../../../src/logs/genai-content-processor.js';
import { genAiEventContent } from '../../../src/conventions/gen-ai-events.js';
import { LogContentArea, logContentAreaOf } from '../../../src/pipeline/log-content.js';

let warnings: string[];
beforeEach(() => {
  warnings = [];
  const logger: DiagLogger = {
    error: () => {},
    warn: (...args) => warnings.push(args.join(' ')),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true });
});
afterEach(() => diag.disable());

const user = (content: string) => ({ input: [{ role: 'user', parts: [{ type: 'text', content }] }] });

describe('LogContentArea', () => {
  it('joins content once, in arrival order, as the GenAI message attributes', () => {
    const area = new LogContentArea();
    area.add('s1', user('first'));
    area.add('s1', user('second'));
    area.add('s1', { output: [{ role: 'assistant', parts: [{ type: 'text', content: 'answer' }], finish_reason: 'stop' }] });
    expect(area.take('other')).toBeUndefined();
    const attributes = area.take('s1')!;
    expect(JSON.parse(attributes['gen_ai.input.messages'] as string)).toEqual([user('first').input[0], user('second').input[0]]);
    expect(JSON.parse(attributes['gen_ai.output.messages'] as string)).toEqual([
      { role: 'assistant', parts: [{ type: 'text', content: 'answer' }], finish_reason: 'stop' },
    ]);
    expect(attributes['gen_ai.system_instructions']).toBeUndefined();
    expect(area.take('s1')).toBeUndefined();
    expect(area.stats()).toEqual({ held: 0, joined: 1, late: 0, dropped: 0 });
  });

  it('counts content that comes after its span was exported as late, and says so once', () => {
    const area = new LogContentArea();
    area.add('s1', user('prompt'));
    area.take('s1');
    area.add('s1', { output: [{ role: 'assistant', parts: [] }] });
    area.add('s1', { output: [{ role: 'assistant', parts: [] }] });
    expect(area.stats()).toEqual({ held: 0, joined: 1, late: 2, dropped: 0 });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('came after its span (s1) was exported; it is not stored');
  });

  it('drops content that waited past holdMs, and the oldest past the call and character bounds', () => {
    let now = 0;
    const area = new LogContentArea({ maxCalls: 2, maxChars: 200, holdMs: 1000 }, () => now);
    area.add('old', user('a'));
    now = 1500;
    area.add('new', user('b'));
    expect(area.take('old')).toBeUndefined();
    expect(area.stats()).toMatchObject({ held: 1, dropped: 1 });
    area.add('b', user('c'));
    area.add('c', user('d'));
    // Three calls for two places: the oldest ('new') goes.
    expect(area.stats()).toMatchObject({ held: 2, dropped: 2 });
    area.add('big', user('x'.repeat(300)));
    expect(area.stats()).toMatchObject({ held: 0, dropped: 5 });
  });
});

describe('gen-ai-events', () => {
  it('reads the per-message events and leaves records without content out', () => {
    expect(genAiEventContent('gen_ai.user.message', { content: 'hi' }, {})).toEqual(user('hi'));
    expect(genAiEventContent('gen_ai.system.message', {}, {})).toBeUndefined();
    expect(genAiEventContent('gen_ai.tool.message', { id: 'call_1', content: '42' }, {})).toEqual({
      input: [{ role: 'tool', parts: [{ type: 'tool_call_response', id: 'call_1', response: '42' }] }],
    });
    expect(genAiEventContent('gen_ai.choice', { index: 0, finish_reason: 'stop', message: {} }, {})).toBeUndefined();
    expect(
      genAiEventContent('gen_ai.client.inference.operation.details', undefined, { 'gen_ai.input.messages': '[{"role":"user"}]' }),
    ).toEqual({
      input: [{ role: 'user' }],
    });
    expect(genAiEventContent('gen_ai.evaluation.result', { score: 1 }, {})).toBeUndefined();
  });
});

describe('GenAiContentLogProcessor', () => {
  const spanContext = (traceFlags: number) => ({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags });
  const record = (fields: Partial<GenAiLogRecord>): GenAiLogRecord => ({ attributes: {}, ...fields });

  it('takes GenAI events of sampled spans only, by either spelling of the event name', async () => {
    const exporter = new ClickHouseTraceExporter({ endpoint: 'http://127.0.0.1:9', createSchema: false });
    const processor = new GenAiContentLogProcessor(exporter);
    processor.onEmit(record({ spanContext: spanContext(TraceFlags.SAMPLED), eventName: 'gen_ai.user.message', body: { content: 'a' } }));
    processor.onEmit(
      record({ spanContext: spanContext(TraceFlags.SAMPLED), attributes: { 'event.name': 'gen_ai.user.message' }, body: { content: 'b' } }),
    );
    processor.onEmit(record({ spanContext: spanContext(TraceFlags.NONE), eventName: 'gen_ai.user.message', body: { content: 'c' } }));
    processor.onEmit(record({ eventName: 'gen_ai.user.message', body: { content: 'no span' } }));
    processor.onEmit(record({ spanContext: spanContext(TraceFlags.SAMPLED), body: 'an ordinary log line' }));
    // A body no instrumentation writes: read as nothing, never thrown into the app.
    processor.onEmit(record({ spanContext: spanContext(TraceFlags.SAMPLED), eventName: 'gen_ai.choice', body: 'odd' }));
    expect(processor.stats()).toEqual({ held: 1, joined: 0, late: 0, dropped: 0 });
    await exporter.shutdown();
  });

  it('holds nothing for an exporter that stores no payloads', async () => {
    const exporter = new ClickHouseTraceExporter({ endpoint: 'http://127.0.0.1:9', createSchema: false, storePayloads: false });
    const processor = new GenAiContentLogProcessor(exporter);
    processor.onEmit(record({ spanContext: spanContext(TraceFlags.SAMPLED), eventName: 'gen_ai.user.message', body: { content: 'a' } }));
    expect(processor.stats()).toEqual({ held: 0, joined: 0, late: 0, dropped: 0 });
    await exporter.shutdown();
  });
});

describe('installGenAiContentLogs (llm-traces/register)', () => {
  it('puts the processor on a global LoggerProvider, so instrumentations’ records reach the exporter', async () => {
    const exporter = new ClickHouseTraceExporter({ endpoint: 'http://127.0.0.1:9', createSchema: false });
    await installGenAiContentLogs(exporter);
    try {
      const span = trace.setSpanContext(ROOT_CONTEXT, { traceId: '3'.repeat(32), spanId: '4'.repeat(16), traceFlags: TraceFlags.SAMPLED });
      logs.getLogger('an-instrumentation').emit({ eventName: 'gen_ai.user.message', body: { content: 'hi' }, context: span });
      expect(logContentAreaOf(exporter)!.stats()).toEqual({ held: 1, joined: 0, late: 0, dropped: 0 });
    } finally {
      logs.disable();
      await exporter.shutdown();
    }
  });
});
