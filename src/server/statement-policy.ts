/**
 * What `llm-traces serve` lets a client run, in one place. Everything not listed here is refused:
 * the lists name what is allowed (table functions, system tables, statements, engines, settings),
 * except the scalar functions, where the few that reach outside the query are named instead.
 * The statement guard applies these lists to the engine's own parse of each statement.
 */
import { NO_COST } from '../pricing/cost-columns.js';

/** Databases of the engine itself; every other database is part of the store. */
export const SYSTEM_DATABASES: ReadonlySet<string> = new Set(['system', 'information_schema', 'INFORMATION_SCHEMA']);

/**
 * Table functions that only compute rows from their arguments (lower case; the engine matches
 * table function names case-insensitively or not at all). `view` wraps a subquery the guard
 * checks like any other. Every other table function (file, url, s3, remote, mysql, executable,
 * merge, ... and whatever a later engine adds) is refused.
 */
export const ALLOWED_TABLE_FUNCTIONS: ReadonlySet<string> = new Set([
  'numbers',
  'numbers_mt',
  'zeros',
  'zeros_mt',
  'values',
  'null',
  'generate_series',
  'generateseries',
  'primes',
  'generaterandom',
  'view',
]);

/**
 * Scalar functions that read files, configuration, the process or other tables by name (lower
 * case). The guard adds every alias the engine lists for them (`system.functions.alias_to`).
 */
export const REFUSED_FUNCTIONS: ReadonlySet<string> = new Set([
  'file', // reads any file the server can read
  'getserversetting', // server configuration: paths, ports
  'getmacro',
  'showcertificate',
  'getclienthttpheader',
  'getoskernelversion',
  'filesystemavailable',
  'filesystemcapacity',
  'filesystemunreserved',
  'addresstoline', // introspection: the server process's memory and symbols
  'addresstolinewithinlines',
  'addresstosymbol',
  'demangle',
  'catboostevaluate', // loads a model file by path
  'naivebayesclassifier', // reads models named in the server configuration
  'naivebayesclassifierwithprob',
  'naivebayesclassifierwithallprobs',
  'joinget', // reads a table named in a string, out of the guard's sight
  'joingetornull',
  'hascolumnintable',
]);

/** Dictionaries are refused whole: `dictGet*`, `dictHas`, `dictIsIn`, ... */
export const REFUSED_FUNCTION_PREFIXES: readonly string[] = ['dict'];

/**
 * System tables a client may read: metadata the exporter, the reader and SQL GUIs ask for, and
 * row generators. Tables showing configuration, paths, users, other clients' queries or the
 * process (server_settings, disks, users, processes, stack_trace, named_collections, ...) are not
 * listed.
 */
export const ALLOWED_SYSTEM_TABLES: ReadonlySet<string> = new Set([
  'one',
  'numbers',
  'numbers_mt',
  'zeros',
  'zeros_mt',
  'databases',
  'tables',
  'columns',
  'data_skipping_indices',
  'functions',
  'table_functions',
  'aggregate_function_combinators',
  'formats',
  'data_type_families',
  'table_engines',
  'database_engines',
  'settings',
  'time_zones',
  'collations',
  'keywords',
  'mutations',
]);

/** `information_schema` views (over the system tables above), in lower case. */
export const ALLOWED_INFORMATION_SCHEMA_TABLES: ReadonlySet<string> = new Set([
  'schemata',
  'tables',
  'columns',
  'views',
  'key_column_usage',
  'referential_constraints',
  'statistics',
]);

/** Statements that read (EXPLAIN AST root kinds); they run with the engine's `readonly = 1`. */
export const READ_STATEMENTS: ReadonlySet<string> = new Set([
  'SelectWithUnionQuery',
  'SelectIntersectExceptQuery',
  'Explain',
  'DescribeQuery',
  'ShowTables',
  'ShowColumns',
  'ShowCreateTableQuery',
  'ShowCreateDatabaseQuery',
  'ShowCreateViewQuery',
  'ExistsTableQuery',
  'ExistsDatabaseQuery',
  'ExistsViewQuery',
  'ShowEngineQuery',
  'ShowFunctions',
  'UseQuery',
]);

/** `ShowTables` nodes stand for many SHOW statements; these are the ones that list metadata only. */
export const ALLOWED_SHOW_LISTS: ReadonlySet<string> = new Set(['TABLES', 'DATABASES', 'DICTIONARIES', 'SETTINGS', 'CHANGED']);

/** Engines of tables a client may create (ENGINE = ...): the store's own kinds, nothing that reads elsewhere. */
export const ALLOWED_TABLE_ENGINES: ReadonlySet<string> = new Set([
  'MergeTree',
  'ReplacingMergeTree',
  'SummingMergeTree',
  'AggregatingMergeTree',
  'CollapsingMergeTree',
  'VersionedCollapsingMergeTree',
  'CoalescingMergeTree',
  'Memory',
  'Null',
]);

export const ALLOWED_DATABASE_ENGINES: ReadonlySet<string> = new Set(['Atomic']);

/** Table-level SETTINGS a CREATE TABLE may carry (the ddl/*.sql ones and other layout knobs; never `disk` or `storage_policy`). */
export const ALLOWED_TABLE_SETTINGS: ReadonlySet<string> = new Set([
  'index_granularity',
  'index_granularity_bytes',
  'ttl_only_drop_parts',
  'min_bytes_for_wide_part',
  'min_rows_for_wide_part',
  'merge_with_ttl_timeout',
  'allow_nullable_key',
]);

/** ALTER commands of the exporter's schema upgrade, allowed to every client. */
export const SCHEMA_ALTER_COMMANDS: ReadonlySet<string> = new Set(['ADD_COLUMN', 'ADD_INDEX']);

/** Columns `llm-traces reprice` rewrites with ALTER TABLE ... UPDATE; other updates need --allow-writes. */
export const REPRICE_COLUMNS: ReadonlySet<string> = new Set(Object.keys(NO_COST));

/** What `--allow-writes` adds: statements and ALTER commands that delete or rewrite stored rows. */
export const WRITE_STATEMENTS: ReadonlySet<string> = new Set(['DropQuery', 'TruncateQuery', 'DeleteQuery', 'OptimizeQuery']);
export const WRITE_ALTER_COMMANDS: ReadonlySet<string> = new Set([
  'DELETE',
  'UPDATE',
  'DROP_PARTITION',
  'DROP_COLUMN',
  'DROP_INDEX',
  'CLEAR_COLUMN',
  'CLEAR_INDEX',
]);
/** Objects DROP may remove (the second word of the formatted statement). */
export const DROPPABLE_OBJECTS: ReadonlySet<string> = new Set(['TABLE', 'DATABASE', 'VIEW']);

/**
 * Settings a request may set in URL parameters: output and input formats, the inserts'
 * async_insert family, result bounds and the like. Limits the server sets (time, memory) may
 * only be lowered, and `readonly` only to 1. Nothing here changes how a statement is parsed
 * (`dialect`), reaches a file or URL (format_schema, format_template_*, schema registries, error
 * files) or re-enables something refused (allow_ddl, allow_introspection_functions).
 */
export const ALLOWED_REQUEST_SETTINGS: ReadonlySet<string> = new Set([
  'async_insert',
  'wait_for_async_insert',
  'wait_for_async_insert_timeout',
  'async_insert_busy_timeout_ms',
  'async_insert_max_data_size',
  'async_insert_deduplicate',
  'insert_deduplicate',
  'insert_deduplication_token',
  'insert_null_as_default',
  'date_time_input_format',
  'date_time_output_format',
  'enable_http_compression',
  'http_zlib_compression_level',
  'send_progress_in_http_headers',
  'http_headers_progress_interval_ms',
  'cancel_http_readonly_queries_on_client_close',
  'max_result_rows',
  'max_result_bytes',
  'result_overflow_mode',
  'max_block_size',
  'max_threads',
  'extremes',
  'join_use_nulls',
  'mutations_sync',
  'session_timezone',
  'use_client_time_zone',
  'enable_analyzer',
  'allow_experimental_analyzer',
  'query_plan_enable_optimizations',
  'format_csv_delimiter',
  'format_csv_allow_single_quotes',
  'format_csv_allow_double_quotes',
  'format_csv_null_representation',
  'format_tsv_null_representation',
]);

/** Setting families allowed by prefix (formats), minus the members that touch files or the network. */
export const ALLOWED_REQUEST_SETTING_PREFIXES: readonly string[] = ['input_format_', 'output_format_'];
export const REFUSED_REQUEST_SETTINGS: ReadonlySet<string> = new Set(['input_format_record_errors_file_path', 'output_format_schema']);

/** Limits the server enforces; a request may send a smaller value. */
export const LOWERABLE_LIMITS: ReadonlySet<string> = new Set(['max_execution_time', 'max_memory_usage']);
