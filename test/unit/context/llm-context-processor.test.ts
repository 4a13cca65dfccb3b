import { context, ROOT_CONTEXT, trace, type Attributes } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmContextSpanProcessor, withLlmContext } from '../../../src/context.js';

describe('LlmContextSpanProcessor: ids of ancestors on every span, at its start', () => {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new LlmContextSpanProcessor(), new SimpleSpanProcessor(memory)] });
  const tracer = provider.getTracer('test');
  beforeAll(() => context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
  afterAll(() => context.disable());

  /** Starts a span under `parent` (a root without one) and returns its attributes once ended, with the span. */
  function start(attributes: Attributes, parent?: ReturnType<typeof tracer.startSpan>) {
    const ctx = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    return tracer.startSpan('span', { attributes }, ctx);
  }
  const ended = (span: ReturnType<typeof tracer.startSpan>) => {
    span.end();
    return memory.getFinishedSpans().find((done) => done.spanContext().spanId === span.spanContext().spanId)!.attributes;
  };
  const ids = (attributes: Attributes) => Object.fromEntries(Object.entries(attributes).filter(([key]) => key.startsWith('llm_traces.')));

  it('copies the ids a parent names, in any library’s keys, onto its children and their children', () => {
    const app = start({ 'llm_traces.organization_id': 'org-1', 'llm_traces.agent_tags': ['prod'] });
    const agent = start({ 'ai.settings.context.agent_id': 'agent-1', 'ai.settings.context.run_id': 'run-1' }, app);
    const chain = start({ 'openinference.span.kind': 'CHAIN', 'session.id': 'session-1', 'user.id': 'user-1' }, agent);
    const step = start({ 'traceloop.association.properties.step_id': 'step-1' }, chain);
    const chat = start({ 'gen_ai.operation.name': 'chat' }, step);
    expect(ids(ended(chat))).toEqual({
      'llm_traces.organization_id': 'org-1',
      'llm_traces.agent_tags': ['prod'],
      'llm_traces.agent_id': 'agent-1',
      'llm_traces.run_id': 'run-1',
      'llm_traces.conversation_id': 'session-1',
      'llm_traces.user_id': 'user-1',
      'llm_traces.step_id': 'step-1',
    });
    for (const span of [step, chain, agent, app]) span.end();
  });

  it('leaves a field to the span’s own library when it names it, and its own llm_traces.* values alone', () => {
    const parent = start({
      'session.id': 'parent-session',
      'ai.telemetry.metadata.userId': 'parent-user',
      'llm_traces.run_id': 'parent-run',
    });
    const child = start({ 'gen_ai.conversation.id': 'own-conversation', 'llm_traces.run_id': 'own-run' }, parent);
    expect(ids(ended(child))).toEqual({ 'llm_traces.user_id': 'parent-user', 'llm_traces.run_id': 'own-run' });
    parent.end();
  });

  it('lets withLlmContext values win over the ids a parent’s library names', async () => {
    const parent = start({ 'ai.settings.context.agent_id': 'from-parent', 'ai.settings.context.run_id': 'run-p' });
    const child = withLlmContext({ agentId: 'from-context' }, () => tracer.startSpan('child', {}, trace.setSpan(context.active(), parent)));
    expect(ids(ended(child))).toEqual({ 'llm_traces.agent_id': 'from-context', 'llm_traces.run_id': 'run-p' });
    parent.end();
  });

  it('adds nothing to a span whose ancestors name no ids', () => {
    const root = start({ 'http.route': '/chat' });
    const child = start({ 'gen_ai.operation.name': 'chat' }, root);
    expect(ids(ended(child))).toEqual({});
    root.end();
  });
});
