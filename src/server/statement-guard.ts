/**
 * Decides whether `llm-traces serve` runs a statement, from the engine's own reading of it:
 * `formatQuery` parses the text as exactly one statement (a second one is a syntax error) and
 * prints it canonically, `tokenizeQuery` lexes that print, and `EXPLAIN AST` gives its tree.
 * Nothing here matches SQL text; comments, case, quoting and nesting are the parser's business.
 * The lists it applies are in statement-policy.ts.
 *
 * The engine enforces what it can on top (see `enforcedSettings` in engine-sql.ts): reads run
 * with `readonly = 1`, which refuses writes and most table functions; inserts with
 * `allow_ddl = 0`; every query under the server's time and memory limits; an organization-bound
 * credential's reads under `additional_table_filters`. What the engine does not refuse (the
 * `file()` function, INTO OUTFILE, system tables, `merge()`, inserts through table functions, DDL
 * naming files or engines that read elsewhere) is refused here.
 */
import { qualifiedName } from '../schema/ddl.js';
import { quoteString } from './engine-sql.js';
import { parseExplainAst, UnreadableAstError, walkAst, type AstNode } from './explain-ast.js';
import { ClickHouseServerError } from './server-error.js';
import {
  ALLOWED_DATABASE_ENGINES,
  ALLOWED_INFORMATION_SCHEMA_TABLES,
  ALLOWED_REQUEST_SETTING_PREFIXES,
  ALLOWED_REQUEST_SETTINGS,
  ALLOWED_SHOW_LISTS,
  ALLOWED_SYSTEM_TABLES,
  ALLOWED_TABLE_ENGINES,
  ALLOWED_TABLE_FUNCTIONS,
  ALLOWED_TABLE_SETTINGS,
  DROPPABLE_OBJECTS,
  LOWERABLE_LIMITS,
  READ_STATEMENTS,
  REFUSED_FUNCTION_PREFIXES,
  REFUSED_FUNCTIONS,
  REFUSED_REQUEST_SETTINGS,
  REPRICE_COLUMNS,
  SCHEMA_ALTER_COMMANDS,
  SYSTEM_DATABASES,
  WRITE_ALTER_COMMANDS,
  WRITE_STATEMENTS,
} from './statement-policy.js';

/** Who sends the request, as far as the guard cares. */
export interface Principal {
  user: string;
  /** The organizations this credential may read; undefined: every organization. */
  organizations: readonly string[] | undefined;
}

/** The store's own tables, which an organization-bound credential reads through row filters. */
export interface TenantTables {
  database: string;
  llmTable: string;
  tracesTable: string | undefined;
}

export interface GuardOptions {
  /** `--allow-writes`: DROP, TRUNCATE, DELETE and rewriting ALTERs on the store's tables. */
  allowWrites: boolean;
  tenantTables: TenantTables;
  /** Server limits a request may lower but not raise, by setting name. */
  limits: Readonly<Record<string, number>>;
}

export interface GuardContext {
  principal: Principal;
  /** The request's current database (`database` parameter or header), `default` without one. */
  database: string;
  /** The request's `param_<name>` values, for placeholders of type Identifier. */
  queryParams: ReadonlyArray<readonly [name: string, value: string]>;
}

/**
 * How the statement runs: `read` under `readonly = 1`; `insert` (data in the request or from a
 * checked SELECT) under `allow_ddl = 0`; `schema` (the exporter's CREATE ... and ADD ..., and
 * reprice's UPDATE of cost columns) and `write` (what --allow-writes adds) as they are.
 */
export type StatementKind = 'read' | 'insert' | 'schema' | 'write';

export interface Verdict {
  kind: StatementKind;
  /** False when the verdict depends on more than the statement text (identifier parameters, table lookups). */
  cacheable: boolean;
}

/** The engine calls the guard makes, on the request's own session (so its parameters are bound). */
export interface GuardSession {
  /** Rows of a query's result, each an array of its columns' JSON values. */
  rows(query: string, params?: Record<string, string>): Promise<unknown[][]>;
}

interface Token {
  type: string;
  text: string;
}

const STATEMENT_PARAMETER = 'llm_traces_statement';
const PLAIN_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const IN_FUNCTIONS = new Set(
  ['in', 'notIn', 'globalIn', 'globalNotIn', 'nullIn', 'notNullIn', 'globalNullIn', 'globalNotNullIn'].flatMap((name) => [
    name,
    `${name}IgnoreSet`,
  ]),
);
/** Kinds of node under which a Function is a table function (`FROM f(...)`, `CREATE TABLE t AS f(...)`, ...). */
const TABLE_FUNCTION_PARENTS = new Set(['TableExpression', 'Explain', 'CreateQuery', 'InsertQuery', 'BackupQuery']);
/** Kinds of node whose `Set` child is not a query's SETTINGS clause: table settings, EXPLAIN options. */
const OWN_SETTINGS_PARENTS = new Set(['Storage', 'Explain']);
const VERDICT_CACHE_SIZE = 1000;
/** Longer statements (inline data) are not worth a cache entry. */
const CACHEABLE_LENGTH = 16 * 1024;

export class StatementGuard {
  private readonly cache = new Map<string, Verdict>();

  private constructor(
    private readonly options: GuardOptions,
    private readonly refusedFunctions: ReadonlySet<string>,
  ) {}

  /** Reads the engine's function aliases once, so an alias of a refused function is refused too. */
  static async create(session: GuardSession, options: GuardOptions): Promise<StatementGuard> {
    const aliases = await session.rows("SELECT lower(name), lower(alias_to) FROM system.functions WHERE alias_to != ''");
    const refused = new Set(REFUSED_FUNCTIONS);
    for (const [name, target] of aliases as Array<[string, string]>) {
      if (REFUSED_FUNCTIONS.has(target) || REFUSED_FUNCTION_PREFIXES.some((prefix) => target.startsWith(prefix))) refused.add(name);
    }
    return new StatementGuard(options, refused);
  }

  get allowWrites(): boolean {
    return this.options.allowWrites;
  }

  /**
   * URL-parameter settings: the allow-list, limits only lowered (a higher value is capped at the
   * server's), `readonly` only to 1. Returns the settings to apply.
   */
  requestSettings(settings: ReadonlyArray<readonly [name: string, value: string]>): Array<[name: string, value: string]> {
    return settings.map(([name, value]) => {
      const limit = this.options.limits[name];
      if (LOWERABLE_LIMITS.has(name) && limit !== undefined) {
        const requested = Number(value);
        if (!Number.isFinite(requested) || requested < 0) {
          throw refused(`The setting ${name} must be a number; this server allows at most ${limit}`);
        }
        return [name, String(requested === 0 ? limit : Math.min(requested, limit))];
      }
      if (name === 'readonly') {
        if (value.trim() !== '1') throw refused(`The setting readonly may only be set to 1 here (got '${value.slice(0, 20)}')`);
        return [name, '1'];
      }
      if (!isAllowedRequestSetting(name)) {
        throw refused(
          `The setting ${name} is not accepted by llm-traces serve: requests may set format, insert and result settings only, ` +
            'never ones that reach files or the network, change how SQL is parsed or lift a limit',
        );
      }
      return [name, value];
    });
  }

  /** The fast path of an INSERT whose head the server parsed itself and whose data is the body: only its target is checked. */
  checkInsertTarget(table: string, context: GuardContext): void {
    const [database, name] = table.includes('.') ? (table.split('.') as [string, string]) : [context.database, table];
    this.checkWriteTarget(database, name, context.principal, 'INSERT INTO');
  }

  /** Throws ClickHouse's error for a refused statement; otherwise says how to run it. */
  async check(statement: string, session: GuardSession, context: GuardContext): Promise<Verdict> {
    const key = `${context.principal.organizations?.join('\u0000') ?? '*'}\u0001${context.database}\u0001${statement}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    const verdict = await this.decide(statement, session, context);
    if (verdict.cacheable && statement.length <= CACHEABLE_LENGTH) {
      this.cache.set(key, verdict);
      if (this.cache.size > VERDICT_CACHE_SIZE) this.cache.delete(this.cache.keys().next().value!);
    }
    return verdict;
  }

  private async decide(statement: string, session: GuardSession, context: GuardContext): Promise<Verdict> {
    const [[formatted, rawTokens] = []] = await session
      .rows(`WITH formatQuery({${STATEMENT_PARAMETER}:String}) AS statement SELECT statement, tokenizeQuery(statement)`, {
        [STATEMENT_PARAMETER]: statement,
      })
      .catch((error: unknown) => {
        throw withoutGuardQuery(error);
      });
    const text = String(formatted);
    const tokens = toTokens(text, rawTokens as RawToken[]);
    const { identifierParams, dotted } = checkTokens(tokens, context);
    let tree: AstNode;
    try {
      const rows = await session.rows(`EXPLAIN AST ${text}`);
      tree = parseExplainAst(rows.map((row) => String(row[0])));
    } catch (error) {
      if (error instanceof UnreadableAstError) throw refused(`This statement cannot be checked: ${error.message}`);
      throw error;
    }
    const tables = namesInTablePositions(tree);
    for (const name of dotted) {
      if (tables.has(name))
        throw refused(`\`${name}\` would name a table with a dot in its name; write database and table apart: \`db\`.\`table\``);
    }
    const check = new TreeCheck(this, session, context, tokens);
    const kind = await check.statement(tree);
    await check.references(tree);
    if (kind === 'insert' && isInlineValuesInsert(tree, tokens)) await checkSingleValuesStatement(statement, session);
    return { kind, cacheable: identifierParams === 0 && !check.lookedUp };
  }

  isRefusedFunction(name: string): boolean {
    const lower = name.toLowerCase();
    return this.refusedFunctions.has(lower) || REFUSED_FUNCTION_PREFIXES.some((prefix) => lower.startsWith(prefix));
  }

  /** A table a statement reads. */
  checkReadTarget(database: string, table: string, principal: Principal): void {
    if (database === 'system') {
      if (!ALLOWED_SYSTEM_TABLES.has(table)) {
        throw refused(
          `Reading system.${table} is not allowed: it can show configuration, paths, users or other clients' queries. ` +
            `The system tables a client may read are ${[...ALLOWED_SYSTEM_TABLES].join(', ')}`,
        );
      }
      return;
    }
    if (SYSTEM_DATABASES.has(database)) {
      if (!ALLOWED_INFORMATION_SCHEMA_TABLES.has(table.toLowerCase())) throw refused(`Reading ${database}.${table} is not allowed`);
      return;
    }
    if (principal.organizations !== undefined && !this.isTenantTable(database, table)) {
      throw refused(
        `${principal.user} is bound to organizations (${principal.organizations.join(', ')}) and may read only ` +
          `${this.tenantTableNames().join(', ')}, filtered to them; ${database}.${table} is not one of those`,
      );
    }
  }

  /** A table a statement inserts into, creates or changes: the store's, never the engine's. */
  checkWriteTarget(database: string, table: string | undefined, principal: Principal, what: string): void {
    if (SYSTEM_DATABASES.has(database)) {
      throw refused(`${what} ${database}${table ? `.${table}` : ''} is not allowed: only the store's databases can be changed`);
    }
    if (principal.organizations !== undefined && (table === undefined || !this.isTenantTable(database, table))) {
      throw refused(`${principal.user} is bound to organizations and may write only to ${this.tenantTableNames().join(', ')}`);
    }
  }

  /**
   * Row filters the engine applies to every read of the store's tables for an organization-bound
   * credential (`additional_table_filters`): its organizations' LLM calls, and the spans of traces
   * those calls belong to. Undefined for a credential that reads every organization.
   */
  tableFilters(principal: Principal): Record<string, string> | undefined {
    if (principal.organizations === undefined) return undefined;
    const { database, llmTable, tracesTable } = this.options.tenantTables;
    const owned =
      principal.organizations.length === 0 ? '0' : `organization_id IN (${principal.organizations.map(quoteString).join(', ')})`;
    const filters: Record<string, string> = { [`${database}.${llmTable}`]: owned };
    if (tracesTable) {
      const traces = `TraceId IN (SELECT trace_id FROM ${qualifiedName(database, llmTable)} WHERE ${owned})`;
      filters[`${database}.${tracesTable}`] = traces;
      filters[`${database}.${tracesTable}_trace_id_ts`] = traces;
    }
    return filters;
  }

  tenantTableNames(): string[] {
    const { database, llmTable, tracesTable } = this.options.tenantTables;
    return [llmTable, ...(tracesTable ? [tracesTable, `${tracesTable}_trace_id_ts`] : [])].map((table) => `${database}.${table}`);
  }

  private isTenantTable(database: string, table: string): boolean {
    return this.tenantTableNames().includes(`${database}.${table}`);
  }
}

/** One statement's tree against the policy, collecting what it needs to look up. */
class TreeCheck {
  lookedUp = false;

  constructor(
    private readonly guard: StatementGuard,
    private readonly session: GuardSession,
    private readonly context: GuardContext,
    private readonly tokens: readonly Token[],
  ) {}

  private get principal(): Principal {
    return this.context.principal;
  }

  private get bound(): boolean {
    return this.principal.organizations !== undefined;
  }

  /** The statement kind from the root node, with the checks that belong to that kind. */
  async statement(root: AstNode): Promise<StatementKind> {
    const kind = root.kind;
    if (kind === 'ShowTables') {
      const list = words(this.tokens).find((word, index) => index > 0 && !['FULL', 'TEMPORARY', 'EXTENDED'].includes(word));
      if (list === undefined || !ALLOWED_SHOW_LISTS.has(list)) throw refused(`SHOW ${list ?? ''} is not accepted by llm-traces serve`);
      return 'read';
    }
    if (kind === 'ShowCreateTableQuery' || kind === 'ShowCreateViewQuery') {
      const [database, table] = this.target(root);
      this.guard.checkReadTarget(database, table!, this.principal);
      return 'read';
    }
    if (READ_STATEMENTS.has(kind)) return 'read';
    if (kind === 'InsertQuery') return this.insert(root);
    if (kind === 'CreateQuery') return this.create(root);
    if (kind === 'AlterQuery') return this.alter(root);
    if (WRITE_STATEMENTS.has(kind)) return this.write(root);
    throw refused(
      `${describeStatement(this.tokens)} statements are not accepted by llm-traces serve: it runs the SELECT, SHOW, DESCRIBE, ` +
        "EXPLAIN and EXISTS statements of readers and SQL tools, INSERTs into the store and the exporter's schema statements",
    );
  }

  private insert(root: AstNode): StatementKind {
    for (const child of root.children) {
      if (child.kind === 'Function') throw refused(`INSERT INTO FUNCTION ${child.detail}(...) is not allowed: it writes outside the store`);
      if (child.kind === 'Set') throw settingsClause();
    }
    const [database, table] = this.target(root);
    this.guard.checkWriteTarget(database, table, this.principal, 'INSERT INTO');
    return 'insert';
  }

  private async create(root: AstNode): Promise<StatementKind> {
    const head = words(this.tokens).filter((word) => !['IF', 'NOT', 'EXISTS'].includes(word));
    const object = head[1] === 'MATERIALIZED' ? 'MATERIALIZED VIEW' : head[1];
    if (!['TABLE', 'DATABASE', 'MATERIALIZED VIEW'].includes(object ?? '')) {
      throw refused(
        `${describeStatement(this.tokens)} is not accepted by llm-traces serve: it creates databases, tables and materialized views of the store, nothing else`,
      );
    }
    if (object === 'MATERIALIZED VIEW') {
      // The exporter's lookup view writes TO a table it created; a view with a table of its own, or
      // one that copies what is already stored (POPULATE), is not a statement the exporter sends.
      const beforeSelect = head.slice(0, head.indexOf('AS'));
      if (!beforeSelect.includes('TO') || head.includes('POPULATE')) {
        throw refused(
          'CREATE MATERIALIZED VIEW is accepted only as the exporter sends it: TO an existing table of the store, without POPULATE',
        );
      }
    }
    const [database, name] = object === 'DATABASE' ? [this.identifiers(root)[0]!, undefined] : this.target(root);
    if (SYSTEM_DATABASES.has(database)) throw refused(`CREATE ${object} in ${database} is not allowed`);
    if (object === 'TABLE' && !root.children.some((child) => child.kind === 'Columns')) {
      throw refused('CREATE TABLE needs its column list here: tables are not created as copies of other tables or table functions');
    }
    const storage = root.children.find((child) => child.kind === 'Storage');
    const engine = storage?.children[0];
    if (engine?.kind === 'Function') {
      const allowed = object === 'DATABASE' ? ALLOWED_DATABASE_ENGINES : ALLOWED_TABLE_ENGINES;
      if (!allowed.has(engine.detail)) {
        throw refused(
          `ENGINE = ${engine.detail} is not allowed: ${object === 'DATABASE' ? 'databases' : 'tables'} of the store use ${[...allowed].join(', ')}`,
        );
      }
    }
    for (const setting of settingNames(this.tokens)) {
      if (!ALLOWED_TABLE_SETTINGS.has(setting)) {
        throw refused(`The table setting ${setting} is not allowed; tables may set ${[...ALLOWED_TABLE_SETTINGS].join(', ')}`);
      }
    }
    if (this.bound && !(await this.exists(database, name))) {
      throw refused(
        `${this.principal.user} is bound to organizations and cannot create ${database}${name ? `.${name}` : ''}; ` +
          'the server creates the store when it starts',
      );
    }
    return 'schema';
  }

  private alter(root: AstNode): StatementKind {
    const [database, table] = this.target(root);
    if (this.bound) throw refused(`${this.principal.user} is bound to organizations and cannot ALTER tables`);
    this.guard.checkWriteTarget(database, table, this.principal, 'ALTER TABLE');
    const commands = root.children.find((child) => child.kind === 'ExpressionList')?.children ?? [];
    let kind: StatementKind = 'schema';
    for (const command of commands) {
      const type = command.detail;
      if (SCHEMA_ALTER_COMMANDS.has(type)) continue;
      if (type === 'UPDATE' && updatedColumns(command).every((column) => REPRICE_COLUMNS.has(column))) continue;
      if (!WRITE_ALTER_COMMANDS.has(type)) throw refused(`ALTER TABLE ... ${type.replace(/_/g, ' ')} is not accepted by llm-traces serve`);
      this.requireWrites(`ALTER TABLE ... ${type.replace(/_/g, ' ')}`);
      kind = 'write';
    }
    return kind;
  }

  private write(root: AstNode): StatementKind {
    const statement = describeStatement(this.tokens);
    const object = words(this.tokens).filter((word) => word !== 'TEMPORARY')[1];
    if (root.kind === 'DropQuery' && !DROPPABLE_OBJECTS.has(object ?? ''))
      throw refused(`${statement} is not accepted by llm-traces serve`);
    this.requireWrites(statement);
    if (this.bound) throw refused(`${this.principal.user} is bound to organizations and cannot run ${statement}`);
    if (object === 'DATABASE') {
      this.guard.checkWriteTarget(this.identifiers(root)[0]!, undefined, this.principal, statement);
    } else {
      const [database, table] = this.target(root);
      this.guard.checkWriteTarget(database, table, this.principal, statement);
    }
    return 'write';
  }

  private requireWrites(statement: string): void {
    if (!this.guard.allowWrites) {
      throw refused(
        `${statement} deletes or rewrites stored data, which llm-traces serve refuses unless it was started with --allow-writes`,
      );
    }
  }

  /** Every node of the tree: functions, table references and SETTINGS clauses. */
  async references(root: AstNode): Promise<void> {
    for (const { node, parent } of walkAst(root)) {
      if (node.kind === 'Function' || node.kind === 'FunctionWithKeyValueArguments') {
        this.function(node, parent);
      } else if (node.kind === 'Set' && !OWN_SETTINGS_PARENTS.has(parent?.kind ?? '')) {
        throw settingsClause();
      }
    }
    for (const table of readTables(root)) await this.tableReference(table);
  }

  private function(node: AstNode, parent: AstNode | undefined): void {
    const name = node.detail;
    if (this.guard.isRefusedFunction(name)) {
      throw refused(
        `The function ${name} is not allowed: it reads files, configuration, the server process or tables out of the guard's sight`,
      );
    }
    if (TABLE_FUNCTION_PARENTS.has(parent?.kind ?? '') && !ALLOWED_TABLE_FUNCTIONS.has(name.toLowerCase())) {
      throw refused(
        `The table function ${name} is not allowed: table functions that reach files, URLs, other servers, processes or other tables are refused. ` +
          `Allowed: ${[...ALLOWED_TABLE_FUNCTIONS].join(', ')}`,
      );
    }
  }

  private async tableReference(qualified: string): Promise<void> {
    const dot = qualified.indexOf('.');
    if (dot >= 0) {
      this.guard.checkReadTarget(qualified.slice(0, dot), qualified.slice(dot + 1), this.principal);
      return;
    }
    // An unqualified name is a table of the current database or a WITH name; only a table can be refused.
    if (!SYSTEM_DATABASES.has(this.context.database) && !this.bound) return;
    if (await this.exists(this.context.database, qualified)) this.guard.checkReadTarget(this.context.database, qualified, this.principal);
  }

  private async exists(database: string, table: string | undefined): Promise<boolean> {
    this.lookedUp = true;
    const rows =
      table === undefined
        ? await this.session.rows('SELECT count() FROM system.databases WHERE name = {d:String}', { d: database })
        : await this.session.rows('SELECT count() FROM system.tables WHERE database = {d:String} AND name = {t:String}', {
            d: database,
            t: table,
          });
    return Number(rows[0]?.[0]) > 0;
  }

  /** The Identifier children naming the statement's object: [database, table] or [table]. */
  private identifiers(root: AstNode): string[] {
    return root.children.filter((child) => child.kind === 'Identifier').map((child) => child.detail);
  }

  private target(root: AstNode): [database: string, table: string | undefined] {
    const names = this.identifiers(root);
    return names.length >= 2 ? [names[0]!, names[1]] : [this.context.database, names[0]];
  }
}

/** The tables a tree reads: table expressions and `x IN name`, in order. */
function readTables(root: AstNode): string[] {
  const tables: string[] = [];
  for (const { node } of walkAst(root)) {
    if (node.kind === 'TableIdentifier') tables.push(node.detail);
    const set = node.kind === 'Function' && IN_FUNCTIONS.has(node.detail) ? node.children[0]?.children[1] : undefined;
    if (set?.kind === 'Identifier') tables.push(set.detail);
  }
  return tables;
}

/** Names the tree reads or writes as tables: what it reads, and the statement's own target. */
function namesInTablePositions(root: AstNode): Set<string> {
  return new Set([...root.children.filter((child) => child.kind === 'Identifier').map((child) => child.detail), ...readTables(root)]);
}

function updatedColumns(command: AstNode): string[] {
  const assignments = command.children.find((child) => child.kind === 'ExpressionList')?.children ?? [];
  return assignments.filter((node) => node.kind === 'Assignment').map((node) => node.detail);
}

const DOTTED_COLUMN = /^`[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)+`$/;

/**
 * Checks on the canonical text's tokens; returns how many Identifier placeholders it has and the
 * quoted names with a dot in them (`Events.Timestamp`), which may name columns only.
 */
function checkTokens(tokens: readonly Token[], context: GuardContext): { identifierParams: number; dotted: string[] } {
  const significant = tokens.filter((token) => token.type !== 'Whitespace' && token.type !== 'Comment');
  let identifierParams = 0;
  const dotted: string[] = [];
  significant.forEach((token, index) => {
    if (token.type === 'QuotedIdentifier' && /[\\.\u0000-\u001f\u007f]/.test(token.text)) {
      // `Events.Timestamp` (a Nested sub-column) is one name with a dot; as a table it would read as
      // database and table to this guard and as one name to the engine, so it is checked against the tree.
      if (!DOTTED_COLUMN.test(token.text)) {
        throw refused(
          `The quoted identifier ${token.text.slice(0, 60)} is not accepted: identifiers here hold no escapes or control characters`,
        );
      }
      dotted.push(token.text.slice(1, -1));
    }
    const next = significant[index + 1];
    const pair = `${token.text.toUpperCase()} ${next?.text.toUpperCase() ?? ''}`;
    if (token.type === 'BareWord' && next?.type === 'BareWord' && pair === 'INTO OUTFILE') {
      throw new ClickHouseServerError('INTO_OUTFILE_NOT_ALLOWED', 'INTO OUTFILE is not allowed: this server writes no files');
    }
    if (token.type === 'BareWord' && next?.type === 'BareWord' && pair === 'FROM INFILE') {
      throw new ClickHouseServerError(
        'SUPPORT_IS_DISABLED',
        'INSERT ... FROM INFILE is not allowed: this server reads no files; send the data in the request body',
      );
    }
    // {name:Identifier}: the value becomes a name in the tree, so it must be a plain one.
    if (token.type === 'OpeningCurlyBrace' && significant[index + 2]?.type === 'Colon' && significant[index + 3]?.text === 'Identifier') {
      identifierParams++;
      const name = significant[index + 1]!.text;
      const value = context.queryParams.find(([param]) => param === name)?.[1];
      if (value !== undefined && !value.split('.').every((part) => PLAIN_IDENTIFIER.test(part))) {
        throw refused(`The Identifier parameter ${name} must be a plain name (letters, digits, _; optionally database.table)`);
      }
    }
  });
  return { identifierParams, dotted };
}

/** Names set by SETTINGS clauses in the canonical text: `SETTINGS a = 1, b = -2, c = f(x = 1)`. */
function settingNames(tokens: readonly Token[]): string[] {
  const significant = tokens.filter((token) => token.type !== 'Whitespace' && token.type !== 'Comment');
  const names: string[] = [];
  for (let i = 0; i < significant.length; i++) {
    if (significant[i]!.type !== 'BareWord' || significant[i]!.text.toUpperCase() !== 'SETTINGS') continue;
    let at = i + 1;
    while (significant[at + 1]?.type === 'Equals') {
      names.push(significant[at]!.text.replace(/^[`"]|[`"]$/g, ''));
      at += 2;
      if (significant[at]?.type === 'Minus') at++;
      at++;
      if (significant[at]?.type === 'OpeningRoundBracket') {
        for (let depth = 0; at < significant.length; at++) {
          if (significant[at]!.type === 'OpeningRoundBracket') depth++;
          else if (significant[at]!.type === 'ClosingRoundBracket' && --depth === 0) break;
        }
        at++;
      }
      if (significant[at]?.type !== 'Comma') break;
      at++;
    }
  }
  return names;
}

/** The BareWords of the canonical text in upper case: the statement's keywords come first. */
function words(tokens: readonly Token[]): string[] {
  return tokens.filter((token) => token.type === 'BareWord').map((token) => token.text.toUpperCase());
}

function describeStatement(tokens: readonly Token[]): string {
  return words(tokens).slice(0, 2).join(' ');
}

function isInlineValuesInsert(root: AstNode, tokens: readonly Token[]): boolean {
  if (root.children.some((child) => child.kind === 'SelectWithUnionQuery')) return false;
  const all = words(tokens);
  return all[all.length - 2] === 'FORMAT' && all[all.length - 1] === 'VALUES';
}

/**
 * INSERT ... VALUES data ends at a semicolon for the engine, which then runs what follows as a
 * statement of its own (formatQuery, which stops at the data, cannot see it). Data in any other
 * format runs to the end of the text.
 */
async function checkSingleValuesStatement(statement: string, session: GuardSession): Promise<void> {
  const [[rawTokens] = []] = await session.rows(`SELECT tokenizeQuery({${STATEMENT_PARAMETER}:String})`, {
    [STATEMENT_PARAMETER]: statement,
  });
  const types = toTokens(statement, rawTokens as RawToken[])
    .map((token) => token.type)
    .filter((type) => type !== 'Whitespace' && type !== 'Comment');
  const semicolon = types.indexOf('Semicolon');
  if (semicolon >= 0 && types.slice(semicolon).some((type) => type !== 'Semicolon')) {
    throw new ClickHouseServerError('SYNTAX_ERROR', 'Syntax error: Multi-statements are not allowed (a statement follows the VALUES data)');
  }
}

/** A token as tokenizeQuery returns it: a named tuple, which JSON output writes as an object or an array. */
type RawToken = { begin: number | string; end: number | string; type: string } | [number | string, number | string, string];

function toTokens(text: string, raw: readonly RawToken[]): Token[] {
  const bytes = Buffer.from(text, 'utf8');
  return raw.map((token) => {
    const [begin, end, type] = Array.isArray(token) ? token : [token.begin, token.end, token.type];
    return { type, text: bytes.subarray(Number(begin), Number(end)).toString('utf8') };
  });
}

/** The engine's error for the statement (a syntax error), without the guard's own query around it. */
function withoutGuardQuery(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const start = error.message.indexOf(': In scope WITH formatQuery(');
  const suffix = ' AS statement SELECT statement, tokenizeQuery(statement).';
  const end = error.message.lastIndexOf(suffix);
  if (start < 0 || end < start) return error;
  return new Error(`${error.message.slice(0, start).trimEnd().replace(/\.?$/, '.')}${error.message.slice(end + suffix.length)}`, {
    cause: error,
  });
}

function isAllowedRequestSetting(name: string): boolean {
  if (ALLOWED_REQUEST_SETTINGS.has(name)) return true;
  if (REFUSED_REQUEST_SETTINGS.has(name) || /_file|_path|_url|registry/.test(name)) return false;
  return ALLOWED_REQUEST_SETTING_PREFIXES.some((prefix) => name.startsWith(prefix));
}

function settingsClause(): ClickHouseServerError {
  return refused(
    'SETTINGS clauses are not accepted by llm-traces serve; send settings as URL parameters, where they go through its allow-list',
  );
}

function refused(message: string): ClickHouseServerError {
  return new ClickHouseServerError('ACCESS_DENIED', message);
}
