/**
 * Sums of every token field (model/fields.ts) over a group of calls, with an unreported bucket
 * counted as 0: a group's total is a number even when some of its calls did not report the bucket.
 */
import { entriesOf, TOKEN_FIELDS, type TokenField } from '../model/fields.js';
import { quoteIdentifier } from '../schema/ddl.js';

/** SELECT items `toString(sum(column)) AS field` (UInt64 sums as exact strings). */
export function tokenSumsSelect(): string {
  return entriesOf(TOKEN_FIELDS)
    .map(([field, { column, nullable }]) => {
      const value = nullable ? `ifNull(${quoteIdentifier(column)}, 0)` : quoteIdentifier(column);
      return `toString(sum(${value})) AS ${field}`;
    })
    .join(', ');
}

export function tokenSums(row: Record<string, unknown>): Record<TokenField, number> {
  return Object.fromEntries(entriesOf(TOKEN_FIELDS).map(([field]) => [field, Number(row[field])])) as Record<TokenField, number>;
}
