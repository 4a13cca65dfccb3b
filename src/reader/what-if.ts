/**
 * What the filtered calls would cost under another price table, without writing anything: the
 * stored cost against the cost `reprice` would store with that table (span-provided costs kept,
 * calls without usage unpriced either way).
 */
import { groupCostNanos } from '../pricing/group-cost.js';
import { formatUsd, parseUsd } from '../pricing/money.js';
import type { CatalogPricer } from '../pricing/pricer.js';
import { resolveWindow, type CallFilterOptions, type Window } from './call-filter.js';
import type { OrganizationScope } from './organization-scope.js';
import { readUsageGroups, type UsageGroup } from './usage-groups.js';

export interface CostTotal {
  /** Null when no call is priced. */
  costUsd: string | null;
  pricedCalls: number;
  unpricedCalls: number;
}

export interface ModelWhatIf {
  provider: string;
  /** As a user names it (model-key.ts): a model's failed calls and its snapshots on one line. */
  model: string;
  calls: number;
  current: string | null;
  whatIf: string | null;
}

export interface WhatIf {
  current: CostTotal;
  whatIf: CostTotal;
  /** Most calls first. */
  byModel: ModelWhatIf[];
  window: Window;
}

interface Sum {
  nanos: bigint;
  priced: number;
  unpriced: number;
}

export async function readWhatIf(scope: OrganizationScope, options: CallFilterOptions, pricer: CatalogPricer): Promise<WhatIf> {
  const window = resolveWindow(options);
  const groups = await readUsageGroups(scope, { ...options, ...window }, { tierThresholds: pricer.tierThresholds });
  const current = emptySum();
  const whatIf = emptySum();
  const models = new Map<string, { provider: string; model: string; calls: number; current: Sum; whatIf: Sum }>();
  for (const group of groups) {
    const key = `${group.provider}\u0000${group.modelKey}`;
    let model = models.get(key);
    if (!model)
      models.set(key, (model = { provider: group.provider, model: group.modelKey, calls: 0, current: emptySum(), whatIf: emptySum() }));
    model.calls += group.calls;
    const stored = {
      nanos: group.costUsd === null ? 0n : parseUsd(group.costUsd),
      priced: group.pricedCalls,
      unpriced: group.calls - group.pricedCalls,
    };
    const repriced = group.provided ? stored : priceGroup(pricer, group);
    for (const [sum, part] of [
      [current, stored],
      [model.current, stored],
      [whatIf, repriced],
      [model.whatIf, repriced],
    ] as const) {
      add(sum, part);
    }
  }
  return {
    current: total(current),
    whatIf: total(whatIf),
    byModel: [...models.values()]
      .sort((a, b) => b.calls - a.calls || a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model))
      .map((model) => ({ ...model, current: total(model.current).costUsd, whatIf: total(model.whatIf).costUsd })),
    window,
  };
}

function priceGroup(pricer: CatalogPricer, group: UsageGroup): Sum {
  const nanos = group.hasUsage ? groupCostNanos(pricer, group) : undefined;
  return nanos === undefined ? { nanos: 0n, priced: 0, unpriced: group.calls } : { nanos, priced: group.calls, unpriced: 0 };
}

function emptySum(): Sum {
  return { nanos: 0n, priced: 0, unpriced: 0 };
}

function add(sum: Sum, part: Sum): void {
  sum.nanos += part.nanos;
  sum.priced += part.priced;
  sum.unpriced += part.unpriced;
}

function total(sum: Sum): CostTotal {
  return { costUsd: sum.priced === 0 ? null : formatUsd(sum.nanos), pricedCalls: sum.priced, unpricedCalls: sum.unpriced };
}
