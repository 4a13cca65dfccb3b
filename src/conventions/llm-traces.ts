/**
 * This package's own `llm_traces.*` attributes, the Letta way: the application attaches the raw
 * provider request and response JSON plus its own ids to the span. Raw payloads are stored
 * verbatim; usage, errors, model and finish reasons are read from them by the provider parsers.
 *
 * The id attributes alone do not make a span a call: the context span processor copies them onto
 * every span. A call is marked by a payload or an explicit call type.
 */
import type { Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { CallContext, ConventionResult, LlmCall } from '../model/llm-call.js';
import { normalizeProvider, toText } from '../model/normalize.js';
import { readProviderPayload } from '../providers/index.js';
import { parseJson, text, textList, withPrefix } from './attributes.js';

export const LLM_TRACES = {
  id: 'llm_traces.id',
  organizationId: 'llm_traces.organization_id',
  projectId: 'llm_traces.project_id',
  agentId: 'llm_traces.agent_id',
  agentTags: 'llm_traces.agent_tags',
  runId: 'llm_traces.run_id',
  stepId: 'llm_traces.step_id',
  conversationId: 'llm_traces.conversation_id',
  userId: 'llm_traces.user_id',
  callType: 'llm_traces.call_type',
  isByok: 'llm_traces.is_byok',
  requestJson: 'llm_traces.request_json',
  responseJson: 'llm_traces.response_json',
  llmConfigJson: 'llm_traces.llm_config_json',
  billingPlanType: 'llm_traces.billing.plan_type',
  billingCostSource: 'llm_traces.billing.cost_source',
  billingCustomerId: 'llm_traces.billing.customer_id',
  metadataPrefix: 'llm_traces.metadata.',
} as const;

// Letta stores ids with a type prefix; the row id is the bare id.
const ID_PREFIX = 'provider_trace-';

/** The application ids on a span, whether or not it is a call. */
export function readLlmTracesContext(a: Attributes): CallContext & { id?: string; metadata?: Record<string, string> } {
  const id = text(a, LLM_TRACES.id);
  const billing = {
    planType: text(a, LLM_TRACES.billingPlanType),
    costSource: text(a, LLM_TRACES.billingCostSource),
    customerId: text(a, LLM_TRACES.billingCustomerId),
  };
  return {
    id: id?.startsWith(ID_PREFIX) ? id.slice(ID_PREFIX.length) : id,
    organizationId: text(a, LLM_TRACES.organizationId),
    projectId: text(a, LLM_TRACES.projectId),
    agentId: text(a, LLM_TRACES.agentId),
    agentTags: textList(a, LLM_TRACES.agentTags),
    runId: text(a, LLM_TRACES.runId),
    stepId: text(a, LLM_TRACES.stepId),
    conversationId: text(a, LLM_TRACES.conversationId),
    userId: text(a, LLM_TRACES.userId),
    billing: billing.planType || billing.costSource || billing.customerId ? billing : undefined,
    metadata: withPrefix(a, LLM_TRACES.metadataPrefix),
  };
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
