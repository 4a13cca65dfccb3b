/**
 * `ddl/*.sql` is the single source of truth for table shapes. This module finds, renders and
 * parses those files; nothing else in the package spells out a column list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export type DdlFile = 'otel_traces' | 'otel_traces_trace_id_ts' | 'otel_traces_trace_id_ts_mv' | 'llm_traces';

/** Values substituted into a template. Identifiers are quoted here, never by callers. */
export interface DdlVariables {
  database: string;
  table: string;
  /** Materialized view name and its source table (only the view template uses them). */
  view?: string;
  sourceTable?: string;
  cluster?: string;
  ttlDays?: number;
  /** ClickHouse >= 26.2 has text indexes; older servers get bloom filters (as the Collector does). */
  fullTextSearch?: boolean;
}

export interface ColumnDefinition {
  name: string;
  /** The whole definition as written in the DDL (`name Type CODEC(...)`). */
  definition: string;
  /** ALIAS and MATERIALIZED columns are computed by ClickHouse and never inserted. */
  computed: boolean;
}

export interface IndexDefinition {
  name: string;
  definition: string;
}

const ddlDir = findDdlDir();

function findDdlDir(): string {
  // src/schema/ddl.ts and dist/schema/ddl.js both sit two levels below the package root.
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'ddl');
  if (!existsSync(join(dir, 'llm_traces.sql'))) {
    throw new Error(`llm-traces: DDL files not found at ${dir}; the package installation is incomplete (reinstall llm-traces).`);
  }
  return dir;
}

const templates = new Map<DdlFile, string>();

export function readDdlTemplate(file: DdlFile): string {
  let text = templates.get(file);
  if (text === undefined) {
    text = readFileSync(join(ddlDir, `${file}.sql`), 'utf8');
    templates.set(file, text);
  }
  return text;
}

/** Backtick-quotes an identifier the way ClickHouse expects. */
export function quoteIdentifier(name: string): string {
  return '`' + name.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`';
}

/** A fully qualified, quoted table name. */
export function qualifiedName(database: string, table: string): string {
  return `${quoteIdentifier(database)}.${quoteIdentifier(table)}`;
}

export function onClusterClause(cluster: string | undefined): string {
  return cluster ? `ON CLUSTER ${quoteIdentifier(cluster)}` : '';
}

/** Renders a template: `{{name}}` placeholders, `{{ttl(column)}}`, and `-- @if flag / @else / @end` blocks. */
export function renderDdl(file: DdlFile, vars: DdlVariables): string {
  const replicated = vars.cluster ? 'Replicated' : '';
  const values: Record<string, string> = {
    database: quoteIdentifier(vars.database),
    table: quoteIdentifier(vars.table),
    view: quoteIdentifier(vars.view ?? ''),
    source_table: quoteIdentifier(vars.sourceTable ?? ''),
    on_cluster: onClusterClause(vars.cluster),
    engine: `${replicated}MergeTree()`,
    aggregating_engine: `${replicated}AggregatingMergeTree()`,
  };
  const flags: Record<string, boolean> = { full_text_search: vars.fullTextSearch === true };
  const text = applyConditionals(readDdlTemplate(file), flags);
  return text
    .replace(/\{\{ttl\((\w+)\)\}\}/g, (_, column: string) =>
      vars.ttlDays ? `TTL toDateTime(${column}) + toIntervalDay(${vars.ttlDays})` : '',
    )
    .replace(/\{\{(\w+)\}\}/g, (match, key: string) => {
      const value = values[key];
      if (value === undefined) throw new Error(`llm-traces: unknown placeholder ${match} in ddl/${file}.sql`);
      return value;
    });
}

function applyConditionals(text: string, flags: Record<string, boolean>): string {
  const out: string[] = [];
  // Each entry: is the current branch kept?
  const stack: boolean[] = [];
  for (const line of text.split('\n')) {
    const directive = /^\s*-- @(if|else|end)\b\s*(\w*)/.exec(line);
    if (directive) {
      const [, kind, flag] = directive;
      if (kind === 'if') stack.push(flags[flag!] === true);
      else if (kind === 'else') stack.push(!stack.pop());
      else stack.pop();
      continue;
    }
    if (stack.every(Boolean)) out.push(line);
  }
  return out.join('\n');
}

/** Column and index definitions of a CREATE TABLE template, in DDL order. */
export function parseTableDefinition(file: DdlFile): { columns: ColumnDefinition[]; indexes: IndexDefinition[] } {
  const sql = applyConditionals(readDdlTemplate(file), { full_text_search: true })
    .split('\n')
    .filter((line) => !/^\s*--/.test(line))
    .join('\n');
  const open = sql.indexOf('(', sql.search(/CREATE TABLE/i));
  const columns: ColumnDefinition[] = [];
  const indexes: IndexDefinition[] = [];
  for (const item of splitTopLevel(sql, open)) {
    const definition = item.trim().replace(/\s+/g, ' ');
    const [first, second] = definition.split(' ');
    if (/^INDEX$/i.test(first!)) indexes.push({ name: second!, definition });
    else if (!/^(PROJECTION|CONSTRAINT)$/i.test(first!)) {
      columns.push({ name: first!, definition, computed: /\s(ALIAS|MATERIALIZED)\s/i.test(definition) });
    }
  }
  return { columns, indexes };
}

/** Splits the parenthesized list that opens at `open` on its top-level commas. */
function splitTopLevel(sql: string, open: number): string[] {
  const items: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = open + 1;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '`' || ch === '"') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') {
      depth--;
      if (depth === 0) {
        items.push(sql.slice(start, i));
        break;
      }
    } else if (ch === ',' && depth === 1) {
      items.push(sql.slice(start, i));
      start = i + 1;
    }
  }
  return items.filter((item) => item.trim() !== '');
}

/**
 * The names an insert may carry: stored columns, with Nested columns flattened to their
 * `Parent.child` sub-columns as ClickHouse accepts them in JSONEachRow.
 */
export function insertableColumns(file: DdlFile): string[] {
  const names: string[] = [];
  for (const column of parseTableDefinition(file).columns) {
    if (column.computed) continue;
    const nested = /^\S+ Nested \(/i.exec(column.definition);
    if (nested) {
      const parts = splitTopLevel(column.definition, nested[0].length - 1);
      for (const part of parts) names.push(`${column.name}.${part.trim().split(' ')[0]}`);
    } else names.push(column.name);
  }
  return names;
}
