/**
 * How a column is selected so its value arrives exact through JSON. ClickHouse writes 64-bit
 * integers as JSON numbers or quoted strings depending on server settings, and numbers above 2^53
 * lose digits in JavaScript, as do Decimals; DateTime64 text depends on the column or server time
 * zone. So wide integers and Decimals are selected as decimal strings and timestamps as epoch
 * nanoseconds (also a decimal string), whatever the table's settings or age.
 */
import { quoteIdentifier } from '../schema/ddl.js';

const WIDE_INTEGER = /^U?Int(64|128|256)$/;
const DECIMAL = /^Decimal(32|64|128|256)?\(/;
const DATETIME64 = /^DateTime64\(/;

/** The type without the wrappers that do not change how a value is encoded. */
function baseType(type: string): string {
  const wrapped = /^(?:Nullable|LowCardinality)\((.*)\)$/.exec(type);
  return wrapped ? baseType(wrapped[1]!) : type;
}

export function isWideInteger(type: string): boolean {
  return WIDE_INTEGER.test(baseType(type));
}

export function isDateTime64(type: string): boolean {
  return DATETIME64.test(baseType(type));
}

/** A SQL expression selecting `expression` (of ClickHouse `type`) in its exact text form. */
export function exactSelect(expression: string, type: string): string {
  const base = baseType(type);
  if (WIDE_INTEGER.test(base) || DECIMAL.test(base)) return `toString(${expression})`;
  if (DATETIME64.test(base)) return `toString(toUnixTimestamp64Nano(${expression}))`;
  const array = /^Array\((.*)\)$/.exec(base);
  if (array) {
    const element = exactSelect('x', array[1]!);
    return element === 'x' ? expression : `arrayMap(x -> ${element}, ${expression})`;
  }
  return expression;
}

/** `exactSelect` of a column, aliased to `alias` (which must differ from every column name used in WHERE/ORDER BY). */
export function selectColumnAs(column: string, type: string, alias: string): string {
  return `${exactSelect(quoteIdentifier(column), type)} AS ${quoteIdentifier(alias)}`;
}

/** snake_case, PascalCase and dotted Nested names to camelCase: `created_at` → `createdAt`, `Events.Timestamp` → `eventsTimestamp`. */
export function camelCase(name: string): string {
  const [first = '', ...rest] = name.split(/[_.]/).filter((part) => part !== '');
  return first.charAt(0).toLowerCase() + first.slice(1) + rest.map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');
}

/** Epoch nanoseconds (decimal string, as `exactSelect` returns them) to a Date (millisecond precision). */
export function dateFromEpochNanos(nanos: string): Date {
  return new Date(Number(BigInt(nanos) / 1_000_000n));
}

/** The type of a column definition as written in the DDL (`name Type CODEC(...) ...`). */
export function definitionType(definition: string): string {
  const match = /^\S+\s+(.*?)(?:\s+(?:CODEC|DEFAULT|MATERIALIZED|ALIAS|EPHEMERAL|TTL|COMMENT)\b.*)?$/i.exec(definition);
  if (!match) throw new Error(`llm-traces: cannot read the column type of DDL definition: ${definition}`);
  return match[1]!;
}
