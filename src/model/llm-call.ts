/**
 * The normalized LLM call: what every span convention and provider payload parser produces, and
 * what the `llm_traces` row is built from. Pure data, no I/O.
 *
 * Token semantics are inclusive: `promptTokens` counts every input token including
 * cache reads and cache writes, `cachedInputTokens` and `cacheWriteTokens` are subsets of it;
 * `completionTokens` includes `reasoningTokens`. Each convention converts its emitter's semantics
 * before returning. An absent field means "not reported", never zero.
 */
import type { BillingField, IdField, TokenField } from './fields.js';

export type TokenUsage = { [K in TokenField]?: number };

export interface CallError {
  type?: string;
  message?: string;
}

export type BillingContext = { [K in BillingField]?: string };

/** Ids that tie a call to the application's own entities (fields.ts). */
export type CallContext = { [K in IdField]?: string } & {
  agentTags?: string[];
  billing?: BillingContext;
};

export interface LlmCall extends CallContext {
  /** Application id of the call (`llm_traces.id`); the span id is used when absent. */
  id?: string;
  callType?: string;
  /** Normalized to `gen_ai.provider.name` values (`openai`, `anthropic`, `aws.bedrock`, ...). */
  provider?: string;
  /** The model that answered (response model), else the requested one. */
  model?: string;
  requestModel?: string;
  isByok?: boolean;
  usage?: TokenUsage;
  timeToFirstTokenMs?: number;
  error?: CallError;
  finishReasons?: string[];
  /** Request payload as JSON text: the raw provider request when known, else a neutral object. */
  requestJson?: string;
  responseJson?: string;
  llmConfigJson?: string;
  metadata?: Record<string, string>;
  /** A cost the span itself reports (e.g. `gen_ai.usage.cost`); it wins over computed prices. */
  providedCost?: ProvidedCost;
}

/** USD amounts as the emitter reported them. */
export interface ProvidedCost {
  totalUsd: number;
  inputUsd?: number;
  outputUsd?: number;
}

/**
 * What one convention module says about a span:
 * - `call`: the span is one LLM call; `call` holds the fields this convention could read.
 * - `aggregate`: the span wraps calls (agent, chain, AI SDK outer span) and must not produce a row.
 * - `undefined` (no result): the convention is not present on the span.
 */
export type ConventionResult = { kind: 'call'; call: LlmCall } | { kind: 'aggregate' } | undefined;

/** Fields parsed from a raw provider response or error body. */
export interface ProviderPayloadFacts {
  usage?: TokenUsage;
  error?: CallError;
  model?: string;
  finishReasons?: string[];
}
