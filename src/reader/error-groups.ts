/**
 * Failed calls grouped by provider, error type and message, with the message's variable parts
 * (numbers, ids, quoted values) replaced so the same error from many calls forms one group.
 */
import { integerInRange } from './arguments.js';
import { callFilter, resolveWindow, type CallFilterOptions, type Window } from './call-filter.js';
import { dateFromEpochNanos } from './column-reading.js';
import type { OrganizationScope } from './organization-scope.js';
import { combineFilters } from './sql-filter.js';

export interface ErrorGroup {
  provider: string;
  errorType: string;
  /** The normalized message. */
  message: string;
  count: number;
  firstSeen: Date;
  lastSeen: Date;
  /** Up to 10 models, alphabetical. */
  models: string[];
  /** Up to 5 call ids, newest first. */
  sampleIds: string[];
}

const MESSAGE_CHARS = 300;
export const SAMPLES_PER_GROUP = 5;

/**
 * Applied in order: quoted values, then ids (`req_…`, `chatcmpl-…`, UUIDs, long hex), then
 * numbers. Character classes only, so nothing needs escaping in the SQL literal.
 */
const NORMALIZED_MESSAGE = [
  [`'[^']*'|"[^"]*"`, `'…'`],
  ['[A-Za-z]+[_-][A-Za-z0-9]{12,}|[0-9a-fA-F-]{12,}', '<id>'],
  ['[0-9]+([.][0-9]+)?', '<n>'],
].reduce(
  (expression, [pattern, replacement]) => `replaceRegexpAll(${expression}, ${sqlString(pattern!)}, ${sqlString(replacement!)})`,
  `substringUTF8(error_message, 1, ${MESSAGE_CHARS})`,
);

function sqlString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export async function readErrorGroups(
  scope: OrganizationScope,
  options: CallFilterOptions & { limit?: number },
): Promise<{ groups: ErrorGroup[]; window: Window }> {
  const limit = integerInRange('limit', options.limit, 100, 1, 1000);
  const window = resolveWindow(options);
  const rows = await scope.select(
    [
      'provider',
      'error_type AS errorType',
      `${NORMALIZED_MESSAGE} AS message`,
      'toString(count()) AS count',
      'toString(toUnixTimestamp64Nano(min(created_at))) AS firstSeen',
      'toString(toUnixTimestamp64Nano(max(created_at))) AS lastSeen',
      'arraySort(groupUniqArray(10)(model)) AS models',
      `arrayMap(sample -> sample.2, groupArraySorted(${SAMPLES_PER_GROUP})((-toUnixTimestamp64Nano(created_at), id))) AS sampleIds`,
    ].join(', '),
    combineFilters(callFilter({ ...options, ...window, isError: true }), { conditions: [], params: { groupLimit: limit } }),
    'GROUP BY provider, errorType, message ORDER BY count() DESC, max(created_at) DESC LIMIT {groupLimit:UInt32}',
  );
  return {
    groups: rows.map((row) => ({
      provider: row.provider as string,
      errorType: row.errorType as string,
      message: row.message as string,
      count: Number(row.count),
      firstSeen: dateFromEpochNanos(row.firstSeen as string),
      lastSeen: dateFromEpochNanos(row.lastSeen as string),
      models: row.models as string[],
      sampleIds: row.sampleIds as string[],
    })),
    window,
  };
}
