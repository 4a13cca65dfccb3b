/** The models of calls that have no cost: what the prices page flags (never shown as $0). */
import { callFilter, resolveWindow, type CallFilterOptions, type Window } from './call-filter.js';
import type { OrganizationScope } from './organization-scope.js';
import { combineFilters } from './sql-filter.js';

export interface UnpricedModel {
  provider: string;
  model: string;
  calls: number;
}

export async function readUnpricedModels(
  scope: OrganizationScope,
  options: CallFilterOptions,
): Promise<{ models: UnpricedModel[]; window: Window }> {
  const window = resolveWindow(options);
  const rows = await scope.select<{ provider: string; model: string; calls: string }>(
    'provider, model, toString(count()) AS calls',
    // Calls without usage cannot be priced by any table: only those with usage point at a missing price.
    combineFilters(callFilter({ ...options, ...window }), { conditions: ['cost_usd IS NULL', 'has_usage'], params: {} }),
    'GROUP BY provider, model ORDER BY count() DESC, provider, model LIMIT 1000',
  );
  return { models: rows.map((row) => ({ provider: row.provider, model: row.model, calls: Number(row.calls) })), window };
}
