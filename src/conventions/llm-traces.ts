/**
 * This package's own `llm_traces.*` attributes: the application attaches the raw provider request
 * and response JSON plus its own ids (fields.ts) to the span. Raw payloads are stored
 * verbatim; usage, errors, model and finish reasons are read from them by the provider parsers.
 *
 * The id attributes alone do not make a span a call: the context span processor copies them onto
 * every span. A call is marked by a payload or an explicit call type.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { AGENT_TAGS, APPLICATION_IDS, BILLING_FIELDS, entriesOf, type BillingField, type IdField } from '../model/fields.js';
import type { BillingContext, CallContext, ConventionResult, LlmCall } from '../model/llm-call.js';
import { normalizeProvider, toText } from '../model/normalize.js';
import { readProviderPayload } from '../providers/index.js';
import { parseJson, text, textList, withPrefix } from './attributes.js';

type IdAttributes = { [K in IdField]: (typeof APPLICATION_IDS)[K]['attribute'] };
type BillingAttributes = { [K in BillingField as `billing${Capitalize<K>}`]: (typeof BILLING_FIELDS)[K]['attribute'] };

function declaredAttributes<T extends object, R>(declaration: T, key: (field: keyof T & string) => string): R {
  return Object.fromEntries(entriesOf(declaration).map(([field, entry]) => [key(field), (entry as { attribute: string }).attribute])) as R;
}

export const LLM_TRACES = {
  id: 'llm_traces.id',
  ...declaredAttributes<typeof APPLICATION_IDS, IdAttributes>(APPLICATION_IDS, (field) => field),
  agentTags: AGENT_TAGS.attribute,
  callType: 'llm_traces.call_type',
  isByok: 'llm_traces.is_byok',
  requestJson: 'llm_traces.request_json',
  responseJson: 'llm_traces.response_json',
  llmConfigJson: 'llm_traces.llm_config_json',
  ...declaredAttributes<typeof BILLING_FIELDS, BillingAttributes>(
    BILLING_FIELDS,
    (field) => `billing${field[0]!.toUpperCase()}${field.slice(1)}`,
  ),
  metadataPrefix: 'llm_traces.metadata.',
} as const;

// Ids may carry a type prefix (`provider_trace-<uuid>`); the row id is the bare id.
const ID_PREFIX = 'provider_trace-';

/** The application ids on a span, whether or not it is a call. */
export function readLlmTracesContext(a: Attributes): CallContext & { id?: string; metadata?: Record<string, string> } {
  const id = text(a, LLM_TRACES.id);
  const context: CallContext & { id?: string; metadata?: Record<string, string> } = {
    id: id?.startsWith(ID_PREFIX) ? id.slice(ID_PREFIX.length) : id,
  };
  for (const [field, { attribute }] of entriesOf(APPLICATION_IDS)) context[field] = text(a, attribute);
  context.agentTags = textList(a, AGENT_TAGS.attribute);
  const billing: BillingContext = {};
  for (const [field, { attribute }] of entriesOf(BILLING_FIELDS)) billing[field] = text(a, attribute);
  context.billing = Object.values(billing).some(Boolean) ? billing : undefined;
  context.metadata = withPrefix(a, LLM_TRACES.metadataPrefix);
  return context;
}

export function readLlmTraces(span: ReadableSpan): ConventionResult {
  const a = span.attributes;
  const requestJson = rawJson(a[LLM_TRACES.requestJson]);
  const responseJson = rawJson(a[LLM_TRACES.responseJson]);
  const llmConfigJson = rawJson(a[LLM_TRACES.llmConfigJson]);
  const callType = text(a, LLM_TRACES.callType);
  if (requestJson === undefined && responseJson === undefined && llmConfigJson === undefined && callType === undefined) {
    return undefined;
  }
  const config = asObject(llmConfigJson);
  const request = asObject(requestJson);
  const provider = normalizeProvider(toText(config?.['model_endpoint_type']) ?? toText(config?.['provider_name']));
  const facts = responseJson === undefined ? undefined : readProviderPayload(responseJson, provider);
  const requestModel = toText(request?.['model']) ?? toText(config?.['model']);
  const byok = a[LLM_TRACES.isByok];
  const call: LlmCall = {
    callType,
    provider,
    requestModel,
    model: facts?.model ?? requestModel,
    isByok: typeof byok === 'boolean' ? byok : byok === 'true' ? true : config?.['provider_category'] === 'byok' ? true : undefined,
    usage: facts?.usage,
    error: facts?.error,
    finishReasons: facts?.finishReasons,
    requestJson,
    responseJson,
    llmConfigJson,
  };
  return { kind: 'call', call };
}

/** JSON payload attributes are kept as the text the app wrote; non-string values are serialized. */
function rawJson(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  return JSON.stringify(value);
}

function asObject(jsonText: string | undefined): Record<string, unknown> | undefined {
  if (jsonText === undefined) return undefined;
  const parsed = parseJson(jsonText);
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}
