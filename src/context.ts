/**
 * Context propagation for application ids: `withLlmContext` puts the application ids, tags and
 * billing (model/fields.ts) into the active OTel context, and `LlmContextSpanProcessor` copies them onto
 * every span started inside it, so an LLM span created deep inside an SDK still carries them.
 */
import { context, createContextKey, type Attributes, type Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { LLM_TRACES } from './conventions/llm-traces.js';
import { AGENT_TAGS, APPLICATION_IDS, BILLING_FIELDS, entriesOf, type IdField } from './model/fields.js';
import type { BillingContext } from './model/llm-call.js';

export type LlmContext = { [K in IdField]?: string } & {
  tags?: string[];
  billing?: BillingContext;
  /** Free-form key/value pairs, stored in the `metadata` column. */
  metadata?: Record<string, string>;
};

const LLM_CONTEXT_KEY = createContextKey('llm-traces context');

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
  for (const [field, { attribute }] of entriesOf(APPLICATION_IDS)) attributes[attribute] = values[field];
  attributes[AGENT_TAGS.attribute] = values[AGENT_TAGS.contextKey];
  for (const [field, { attribute }] of entriesOf(BILLING_FIELDS)) attributes[attribute] = values.billing?.[field];
  for (const [key, value] of Object.entries(values.metadata ?? {})) attributes[LLM_TRACES.metadataPrefix + key] = value;
  for (const key of Object.keys(attributes)) if (attributes[key] === undefined) delete attributes[key];
  return attributes;
}

export class LlmContextSpanProcessor implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    const values = getLlmContext(parentContext);
    if (!values) return;
    // Values the span already has (set explicitly at start) win over the inherited ones.
    for (const [key, value] of Object.entries(llmContextAttributes(values))) {
      if (span.attributes[key] === undefined && value !== undefined) span.setAttribute(key, value);
    }
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}
