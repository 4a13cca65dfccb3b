/**
 * Context propagation for application ids: `withLlmContext` puts the application ids, tags and
 * billing (model/fields.ts) into the active OTel context, and `LlmContextSpanProcessor` copies them onto
 * every span started inside it, so an LLM span created deep inside an SDK still carries them.
 */
import { context, createContextKey, type Attributes, type AttributeValue, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LLM_TRACES } from './conventions/llm-traces.js';
import { AGENT_TAGS, APPLICATION_IDS, BILLING_FIELDS, entriesOf, type IdField } from './model/fields.js';
import type { BillingContext, CallContext } from './model/llm-call.js';
import { detectContext } from './detect/detect.js';
import { recordEnd, recordStart } from './pipeline/span-starts.js';

export type LlmContext = { [K in IdField]?: string } & {
  tags?: string[];
  billing?: BillingContext;
  /** Free-form key/value pairs, stored in the `metadata` column. */
  metadata?: Record<string, string>;
};

const LLM_CONTEXT_KEY = createContextKey('llm-traces context');
const MAX_OPEN_SPANS = 100_000;

export function getLlmContext(ctx: Context = context.active()): LlmContext | undefined {
  return ctx.getValue(LLM_CONTEXT_KEY) as LlmContext | undefined;
}

/** Runs `fn` with `values` added to (and overriding) the ids already in the active context. */
export function withLlmContext<T>(values: LlmContext, fn: () => T): T {
  const outer = getLlmContext() ?? {};
  const merged: LlmContext = {
    ...outer,
    ...values,
    billing: values.billing || outer.billing ? { ...outer.billing, ...values.billing } : undefined,
    metadata: values.metadata || outer.metadata ? { ...outer.metadata, ...values.metadata } : undefined,
  };
  return context.with(context.active().setValue(LLM_CONTEXT_KEY, merged), fn);
}

/** The `llm_traces.*` attributes that carry a context's values. */
export function llmContextAttributes(values: LlmContext): Attributes {
  const attributes: Attributes = {};
  eachContextAttribute(values, (key, value) => {
    attributes[key] = value;
  });
  return attributes;
}

/** Calls `visit` with each `llm_traces.*` attribute that carries a defined value of the context. */
function eachContextAttribute(values: LlmContext, visit: (key: string, value: AttributeValue) => void): void {
  for (const [field, { attribute }] of entriesOf(APPLICATION_IDS)) {
    const value = values[field];
    if (value !== undefined) visit(attribute, value);
  }
  const tags = values[AGENT_TAGS.contextKey];
  if (tags !== undefined) visit(AGENT_TAGS.attribute, tags);
  const billing = values.billing;
  if (billing) {
    for (const [field, { attribute }] of entriesOf(BILLING_FIELDS)) {
      const value = billing[field];
      if (value !== undefined) visit(attribute, value);
    }
  }
  const metadata = values.metadata;
  if (metadata) {
    for (const key in metadata) {
      const value = metadata[key];
      if (value !== undefined) visit(LLM_TRACES.metadataPrefix + key, value);
    }
  }
}

/**
 * Copies ids onto every span as it starts, as `llm_traces.*` attributes: the active
 * `withLlmContext` values, and the ids its parent span names (its own `llm_traces.*`, AI SDK
 * metadata and runtime context, OpenInference `session.id`/`user.id`/`metadata`, Traceloop
 * association properties, GenAI conversation and agent ids), so a call deep inside an agent has
 * its agent's and run's ids when it ends, however long before its ancestors. Values the span
 * already has win: its own `llm_traces.*`, and for the parent's ids, the ids its library names.
 * It also tells the exporter which spans of one request started inside each other (span-starts.ts).
 */
export class LlmContextSpanProcessor implements SpanProcessor {
  /**
   * Open spans by id: the parent of a starting span is found here, not through the context, whose
   * span may be a library's wrapper (OpenInference's OISpan) without the SDK span's attributes.
   */
  private readonly open = new Map<string, ReadableSpan>();

  onStart(span: Span, parentContext: Context): void {
    const parentId = span.parentSpanContext?.spanId;
    const parent = parentId === undefined ? undefined : this.open.get(parentId);
    this.open.set(span.spanContext().spanId, span);
    // Bounded: spans that never end are forgotten first.
    if (this.open.size > MAX_OPEN_SPANS) this.open.delete(this.open.keys().next().value!);
    recordStart(span, parent);
    const explicit = getLlmContext(parentContext);
    const named = parent && detectContext(parent.attributes);
    const inherited = named && hasValues(named) ? unnamedBy(detectContext(span.attributes), named) : undefined;
    // The span's own values win, then the explicit context's, then the inherited ones.
    const setUnset = (key: string, value: AttributeValue): void => {
      if (span.attributes[key] === undefined) span.setAttribute(key, value);
    };
    if (explicit) eachContextAttribute(explicit, setUnset);
    if (inherited) eachContextAttribute(inherited, setUnset);
  }

  onEnd(span: ReadableSpan): void {
    this.open.delete(span.spanContext().spanId);
    recordEnd(span);
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function hasValues(values: CallContext): boolean {
  return Object.values(values).some((value) => value !== undefined);
}

/** The inherited values for the fields the span does not name itself. */
function unnamedBy(own: CallContext, inherited: CallContext): LlmContext {
  const values: LlmContext = {};
  for (const [field] of entriesOf(APPLICATION_IDS)) if (own[field] === undefined) values[field] = inherited[field];
  if (own.agentTags === undefined) values.tags = inherited.agentTags;
  // Billing is this package's own (`llm_traces.billing.*`): the span's own keys are kept when set.
  values.billing = inherited.billing;
  return values;
}
