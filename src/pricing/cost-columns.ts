/**
 * The cost columns of an `llm_traces` row: a cost the span reports wins (`provided`), else the
 * pricer's computation from the call's tokens, else NULL — never a made-up zero.
 */
import { COST_FIELDS, COST_SOURCE, entriesOf, type CostColumn } from '../model/fields.js';
import type { LlmCall } from '../model/llm-call.js';
import { formatUsd } from './money.js';
import type { Pricer } from './types.js';

export type CostColumns = { [K in CostColumn]: string | null } & { cost_source: string };

export const NO_COST: CostColumns = noCost();

function noCost(): CostColumns {
  const columns: Partial<CostColumns> = { [COST_SOURCE.column]: '' };
  for (const [, { column }] of entriesOf(COST_FIELDS)) columns[column] = null;
  return columns as CostColumns;
}

// Decimal(18, 9) holds at most 9 integer digits.
const MAX_USD = 999_999_999;

function usd(value: number | undefined): string | null {
  if (value === undefined || !Number.isFinite(value) || value < 0 || value > MAX_USD) return null;
  return formatUsd(BigInt(Math.round(value * 1e9)));
}

export function costColumns(call: LlmCall, pricer: Pricer | undefined, at: Date): CostColumns {
  const provided = call.providedCost;
  const total = usd(provided?.totalUsd);
  if (provided && total !== null) {
    return {
      ...NO_COST,
      cost_usd: total,
      input_cost_usd: usd(provided.inputUsd),
      output_cost_usd: usd(provided.outputUsd),
      cost_source: 'provided',
    };
  }
  const computed = pricer?.price({ provider: call.provider, model: call.model, requestModel: call.requestModel, usage: call.usage, at });
  if (!computed) return NO_COST;
  const columns: Partial<CostColumns> = { [COST_SOURCE.column]: computed.costSource };
  for (const [field, { column }] of entriesOf(COST_FIELDS)) columns[column] = computed[field];
  return columns as CostColumns;
}
