/**
 * The field sets that cross every layer, each declared once: the name on the normalized call
 * (`LlmCall`), the `llm_traces.*` span attribute that carries it, the `llm_traces` column that
 * stores it (ddl/llm_traces.sql stays the truth for the column's type; a test holds the two
 * equal), and the user-metadata keys that also name it. The context API, the conventions, the
 * call model, the row, the reader and reprice derive their lists from these.
 */

/**
 * Ids that tie a call to the application's own entities, in the snake_case (Python, Traceloop)
 * and camelCase (JS) spellings apps put in their metadata maps.
 */
export const APPLICATION_IDS = {
  organizationId: {
    attribute: 'llm_traces.organization_id',
    column: 'organization_id',
    metadataKeys: ['organization_id', 'organizationId'],
  },
  projectId: { attribute: 'llm_traces.project_id', column: 'project_id', metadataKeys: ['project_id', 'projectId'] },
  agentId: { attribute: 'llm_traces.agent_id', column: 'agent_id', metadataKeys: ['agent_id', 'agentId'] },
  runId: { attribute: 'llm_traces.run_id', column: 'run_id', metadataKeys: ['run_id', 'runId'] },
  stepId: { attribute: 'llm_traces.step_id', column: 'step_id', metadataKeys: ['step_id', 'stepId'] },
  // A session is the conversation (the OTel GenAI registry says so of gen_ai.conversation.id).
  conversationId: {
    attribute: 'llm_traces.conversation_id',
    column: 'conversation_id',
    metadataKeys: ['conversation_id', 'conversationId', 'session_id', 'sessionId'],
  },
  userId: { attribute: 'llm_traces.user_id', column: 'user_id', metadataKeys: ['user_id', 'userId'] },
} as const;

export type IdField = keyof typeof APPLICATION_IDS;
export type IdColumn = (typeof APPLICATION_IDS)[IdField]['column'];

/** The agent's tags: `tags` in `withLlmContext`, `agentTags` on the call. */
export const AGENT_TAGS = { field: 'agentTags', contextKey: 'tags', attribute: 'llm_traces.agent_tags', column: 'agent_tags' } as const;

/** Billing context, `billing.*` on the call and in `withLlmContext`. */
export const BILLING_FIELDS = {
  planType: { attribute: 'llm_traces.billing.plan_type', column: 'billing_plan_type' },
  costSource: { attribute: 'llm_traces.billing.cost_source', column: 'billing_cost_source' },
  customerId: { attribute: 'llm_traces.billing.customer_id', column: 'billing_customer_id' },
} as const;

export type BillingField = keyof typeof BILLING_FIELDS;
export type BillingColumn = (typeof BILLING_FIELDS)[BillingField]['column'];

/**
 * Token counts, inclusive (see TokenUsage). `nullable`: stored NULL when not reported; the others
 * are stored 0 and flagged by `has_usage`.
 */
export const TOKEN_FIELDS = {
  promptTokens: { column: 'prompt_tokens', nullable: false },
  completionTokens: { column: 'completion_tokens', nullable: false },
  totalTokens: { column: 'total_tokens', nullable: false },
  cachedInputTokens: { column: 'cached_input_tokens', nullable: true },
  cacheWriteTokens: { column: 'cache_write_tokens', nullable: true },
  reasoningTokens: { column: 'reasoning_tokens', nullable: true },
} as const;

export type TokenField = keyof typeof TOKEN_FIELDS;
export type TokenColumn = (typeof TOKEN_FIELDS)[TokenField]['column'];
export type NullableTokenField = { [K in TokenField]: (typeof TOKEN_FIELDS)[K]['nullable'] extends true ? K : never }[TokenField];

/** USD amounts of a call's cost, as exact decimal strings; `costUsd` is the sum of the others. */
export const COST_FIELDS = {
  costUsd: { column: 'cost_usd' },
  inputCostUsd: { column: 'input_cost_usd' },
  cachedInputCostUsd: { column: 'cached_input_cost_usd' },
  cacheWriteCostUsd: { column: 'cache_write_cost_usd' },
  outputCostUsd: { column: 'output_cost_usd' },
} as const;

/** Where a cost came from: `provided` by the span, `price_table:<version>`, or '' when there is none. */
export const COST_SOURCE = { field: 'costSource', column: 'cost_source' } as const;

export type CostField = keyof typeof COST_FIELDS;
export type CostColumn = (typeof COST_FIELDS)[CostField]['column'];

const entriesOfDeclaration = new WeakMap<object, ReadonlyArray<readonly [string, unknown]>>();

/** The declaration's entries, typed by key (read once per declaration: span conversion reads them per span). */
export function entriesOf<T extends object>(declaration: T): ReadonlyArray<readonly [keyof T & string, T[keyof T]]> {
  let entries = entriesOfDeclaration.get(declaration);
  if (!entries) entriesOfDeclaration.set(declaration, (entries = Object.entries(declaration)));
  return entries as ReadonlyArray<readonly [keyof T & string, T[keyof T]]>;
}
