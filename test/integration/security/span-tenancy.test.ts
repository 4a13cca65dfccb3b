/**
 * Spans are scoped by the organization they carry (LlmContextSpanProcessor stamps it on every
 * span): an organization that gets a call into another organization's trace (a forged
 * `traceparent`) sees its own spans and only the structure of the others, never their attributes;
 * a trace without LLM calls is visible to the organization its spans carry.
 */
import { SpanKind, context, trace, type SpanContext } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmContextSpanProcessor, withLlmContext } from '../../../src/context.js';
import { ClickHouseTraceExporter } from '../../../src/exporter.js';
import { OtelTraceReader } from '../../../src/reader/index.js';
import type { TraceSpan } from '../../../src/reader/trace-span.js';
import { useTestStore } from '../../support/store.js';

const SECRET_OF_A = 'internal-customer-list-of-org-a';
const chat = { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' };

describe('span tenancy by the organization each span carries', () => {
  const store = useTestStore();
  let traceOfA = '';
  let traceOfC = '';
  let traceOfD = '';

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const exporter = new ClickHouseTraceExporter({ client: store.client });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'tenancy' }),
      spanProcessors: [new LlmContextSpanProcessor(), new SimpleSpanProcessor(exporter)],
    });
    const tracer = provider.getTracer('tenancy');
    let leaked: SpanContext | undefined;
    withLlmContext({ organizationId: 'org-a' }, () => {
      const root = tracer.startSpan('handle request', { attributes: { 'app.customers': SECRET_OF_A } });
      traceOfA = root.spanContext().traceId;
      const inner = trace.setSpan(context.active(), root);
      tracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT, attributes: { ...chat, 'app.note': SECRET_OF_A } }, inner).end();
      // What org-b learns from a leaked traceparent: the trace and span ids.
      leaked = root.spanContext();
      root.end();
    });
    withLlmContext({ organizationId: 'org-b' }, () => {
      const forged = trace.setSpanContext(context.active(), leaked!);
      tracer.startSpan('chat gpt-4o-mini', { kind: SpanKind.CLIENT, attributes: { ...chat, 'app.note': 'org-b was here' } }, forged).end();
    });
    withLlmContext({ organizationId: 'org-c' }, () => {
      const span = tracer.startSpan('nightly job', { attributes: { 'job.kind': 'reindex' } });
      traceOfC = span.spanContext().traceId;
      span.end();
    });
    // Only a child that the run view leaves out carries the organization; the root carries none.
    const root = tracer.startSpan('scheduled batch');
    traceOfD = root.spanContext().traceId;
    withLlmContext({ organizationId: 'org-d' }, () => {
      tracer.startSpan('pg.query SELECT', { attributes: { 'db.system': 'postgresql' } }, trace.setSpan(context.active(), root)).end();
    });
    root.end();
    await provider.shutdown();
    context.disable();
  });

  const read = (organizationId: string, traceId: string) =>
    new OtelTraceReader({ client: store.client, organizationId }).getTraceSpans(traceId, { uiSpansOnly: false });
  const byName = (spans: TraceSpan[]) =>
    Object.fromEntries(spans.map((s) => [`${s.spanName}|${s.spanAttributes['llm_traces.organization_id'] ?? '-'}`, s]));

  it("a call forged into org-a's trace shows org-b its own span, and org-a's spans without their attributes", async () => {
    const spans = await read('org-b', traceOfA);
    expect(spans).toHaveLength(3);
    expect(JSON.stringify(spans)).not.toContain(SECRET_OF_A);
    const own = spans.filter((s) => s.spanAttributes['app.note'] === 'org-b was here');
    expect(own).toHaveLength(1);
    const others = spans.filter((s) => s !== own[0]);
    for (const span of others)
      expect(span).toMatchObject({ spanAttributes: {}, resourceAttributes: {}, events: [], links: [], statusMessage: '' });
    // The structure stays: ids and parents, so the waterfall can be drawn.
    expect(others.map((s) => s.spanId).sort()).toHaveLength(2);
    expect(own[0]!.parentSpanId).not.toBe('');
  });

  it('org-a sees its own spans whole and the forged one without attributes', async () => {
    const spans = byName(await read('org-a', traceOfA));
    expect(spans['handle request|org-a']!.spanAttributes['app.customers']).toBe(SECRET_OF_A);
    expect(spans['chat gpt-4o-mini|org-a']!.spanAttributes['app.note']).toBe(SECRET_OF_A);
    expect(JSON.stringify(Object.values(spans))).not.toContain('org-b was here');
  });

  it('a trace with no LLM call is shown to the organization its spans carry, whole, and to no other', async () => {
    const own = await read('org-c', traceOfC);
    expect(own).toHaveLength(1);
    expect(own[0]!.spanAttributes['job.kind']).toBe('reindex');
    const defaultView = await read('', traceOfC);
    expect(JSON.stringify(defaultView)).not.toContain('reindex');
    expect(await read('org-a', traceOfC)).toEqual([]);
  });

  it("decides whether a trace is an organization's over all its spans, also when only the run view is read", async () => {
    const reader = new OtelTraceReader({ client: store.client, organizationId: 'org-d' });
    const view = await reader.getTraceSpans(traceOfD, { uiSpansOnly: true });
    expect(view.map((span) => span.spanName)).toEqual(['scheduled batch']);
    expect((await reader.getTraceSpans(traceOfD, { uiSpansOnly: false })).map((span) => span.spanName).sort()).toEqual([
      'pg.query SELECT',
      'scheduled batch',
    ]);
    expect(
      await new OtelTraceReader({ client: store.client, organizationId: 'org-a' }).getTraceSpans(traceOfD, { uiSpansOnly: true }),
    ).toEqual([]);
  });

  it('the skeleton of a foreign span has no status message or events either', async () => {
    const skeleton = await new OtelTraceReader({ client: store.client, organizationId: 'org-b' }).getTraceSkeleton(traceOfA);
    expect(skeleton.spans).toHaveLength(3);
  });
});

afterAll(() => {
  context.disable();
});
