import { describe, expect, it } from 'vitest';
import { LLM_TRACES } from '../../../src/conventions/llm-traces.js';
import { AGENT_TAGS, APPLICATION_IDS, BILLING_FIELDS, COST_FIELDS, COST_SOURCE, TOKEN_FIELDS } from '../../../src/model/fields.js';
import { parseTableDefinition } from '../../../src/schema/ddl.js';

const columns = new Map(parseTableDefinition('llm_traces').columns.map((column) => [column.name, column.definition]));

describe('field-set declarations against ddl/llm_traces.sql', () => {
  it('name columns that exist', () => {
    const declared = [
      ...Object.values(APPLICATION_IDS).map((entry) => entry.column),
      AGENT_TAGS.column,
      ...Object.values(BILLING_FIELDS).map((entry) => entry.column),
      ...Object.values(TOKEN_FIELDS).map((entry) => entry.column),
      ...Object.values(COST_FIELDS).map((entry) => entry.column),
      COST_SOURCE.column,
    ];
    expect(declared.filter((column) => !columns.has(column))).toEqual([]);
  });

  it('say which token columns are Nullable as the DDL does', () => {
    for (const { column, nullable } of Object.values(TOKEN_FIELDS)) {
      expect([column, / Nullable\(/.test(columns.get(column)!)]).toEqual([column, nullable]);
    }
  });

  it('keep the public llm_traces.* attribute names', () => {
    expect(LLM_TRACES).toEqual({
      id: 'llm_traces.id',
      organizationId: 'llm_traces.organization_id',
      projectId: 'llm_traces.project_id',
      agentId: 'llm_traces.agent_id',
      runId: 'llm_traces.run_id',
      stepId: 'llm_traces.step_id',
      conversationId: 'llm_traces.conversation_id',
      userId: 'llm_traces.user_id',
      agentTags: 'llm_traces.agent_tags',
      callType: 'llm_traces.call_type',
      isByok: 'llm_traces.is_byok',
      requestJson: 'llm_traces.request_json',
      responseJson: 'llm_traces.response_json',
      llmConfigJson: 'llm_traces.llm_config_json',
      billingPlanType: 'llm_traces.billing.plan_type',
      billingCostSource: 'llm_traces.billing.cost_source',
      billingCustomerId: 'llm_traces.billing.customer_id',
      metadataPrefix: 'llm_traces.metadata.',
    });
  });
});
