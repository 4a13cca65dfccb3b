#!/usr/bin/env node
/**
 * `llm-traces`: read LLM traces from the terminal, and serve an embedded store to other processes.
 * Connects like the exporter: OTEL_EXPORTER_CLICKHOUSE_ENDPOINT for a server, else the embedded
 * store at OTEL_EXPORTER_CLICKHOUSE_PATH (default .llm-traces).
 */
import type { ParseArgsConfig } from 'node:util';
import {
  LlmTraceReader,
  OtelTraceReader,
  ReaderArgumentError,
  USAGE_GROUP_BY,
  type ListCallsOptions,
  type UsageGroupBy,
} from '../reader/index.js';
import { CONNECTION_OPTIONS, connectionOptions, parseCommandArgs, type Command, type Values } from './command.js';
import { list, parseDate, parseLimit, parseSince, show, stats, traceTree, type Output, type Readers } from './commands.js';
import { CliArgumentError, connect, explain } from './connect.js';
import { repriceCommand } from './reprice-command.js';
import { serveCommand, uiCommand } from './serve.js';

const READ_OPTIONS = {
  ...CONNECTION_OPTIONS,
  org: { type: 'string' },
  json: { type: 'boolean' },
} as const satisfies ParseArgsConfig['options'];

const CONNECTION_HELP = `Connection (like the exporter):
  --endpoint URL     ClickHouse or \`llm-traces serve\` URL (OTEL_EXPORTER_CLICKHOUSE_ENDPOINT)
  --path DIR         embedded store when there is no endpoint (OTEL_EXPORTER_CLICKHOUSE_PATH, default .llm-traces)
  --database NAME    (OTEL_EXPORTER_CLICKHOUSE_DATABASE, default otel)
  --user, --password (OTEL_EXPORTER_CLICKHOUSE_USERNAME / _PASSWORD)
  --org ID           organization to read (LLM_TRACES_ORGANIZATION_ID; default: the default organization '')
  --json             machine-readable output`;

/** A read command: connects like the exporter, runs against the readers, prints text or `--json`. */
function readCommand(
  command: { summary: string; usage: string; options: ParseArgsConfig['options']; positionals?: boolean },
  read: (values: Values, positionals: string[], readers: Readers) => Promise<Output>,
): Command {
  return {
    ...command,
    options: { ...READ_OPTIONS, ...command.options },
    help: CONNECTION_HELP,
    run: (values, positionals) => withReaders(values, (readers) => read(values, positionals, readers)),
  };
}

/** `list` flags that filter on one field, with the reader's name for it (reader/call-filter.ts). */
const LIST_FILTERS = {
  agent: 'agentId',
  model: 'model',
  run: 'runId',
  trace: 'traceId',
  service: 'serviceName',
  user: 'userId',
  conversation: 'conversationId',
  'call-type': 'callType',
} as const satisfies Record<string, keyof ListCallsOptions>;

const COMMANDS: Record<string, Command> = {
  stats: readCommand(
    {
      summary: 'usage and latency grouped by model, agent, call type or provider',
      usage: `llm-traces stats [--group-by ${USAGE_GROUP_BY.join('|')}] [--since 24h | --start DATE --end DATE]`,
      options: { 'group-by': { type: 'string' }, since: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' } },
    },
    (v, _p, readers) => {
      const groupBy = (v['group-by'] as string | undefined) ?? 'model';
      if (!(USAGE_GROUP_BY as readonly string[]).includes(groupBy)) {
        throw new CliArgumentError(`--group-by '${groupBy}' is not one of ${USAGE_GROUP_BY.join(', ')}.`);
      }
      const { start, end } = range(v);
      return stats(readers, groupBy as UsageGroupBy, start, end);
    },
  ),
  list: readCommand(
    {
      summary: 'LLM calls, newest first',
      usage:
        'llm-traces list [--agent ID] [--model NAME] [--run ID] [--trace ID] [--service NAME] [--user ID] [--conversation ID] ' +
        '[--errors] [--call-type TYPE] [--limit N] [--since 24h | --start DATE --end DATE]',
      options: {
        ...Object.fromEntries(Object.keys(LIST_FILTERS).map((flag) => [flag, { type: 'string' }])),
        errors: { type: 'boolean' },
        limit: { type: 'string' },
        since: { type: 'string' },
        start: { type: 'string' },
        end: { type: 'string' },
      },
    },
    (v, _p, readers) =>
      list(readers, {
        ...Object.fromEntries(Object.entries(LIST_FILTERS).map(([flag, option]) => [option, v[flag] as string | undefined])),
        isError: v.errors === true ? true : undefined,
        limit: parseLimit(v.limit as string | undefined, 20),
        ...range(v),
      }),
  ),
  show: readCommand(
    {
      summary: 'one LLM call with every field and its payloads pretty-printed',
      usage: 'llm-traces show <id>',
      options: {},
      positionals: true,
    },
    (_v, positionals, readers) => show(readers, onePositional(positionals, '<id>')),
  ),
  trace: readCommand(
    {
      summary: 'the span tree of a trace or a run, LLM calls annotated',
      usage: 'llm-traces trace <traceId> | llm-traces trace --run <runId> [--all] [--limit N]',
      options: { run: { type: 'string' }, all: { type: 'boolean' }, limit: { type: 'string' } },
      positionals: true,
    },
    (v, positionals, readers) => {
      const runId = v.run as string | undefined;
      const target = runId !== undefined ? { runId } : { traceId: onePositional(positionals, '<traceId>') };
      // A run view shows its UI spans by default; a trace shows everything.
      const uiSpansOnly = v.all === true ? false : runId !== undefined;
      return traceTree(readers, target, uiSpansOnly, parseLimit(v.limit as string | undefined, 1000));
    },
  ),
  serve: serveCommand,
  ui: uiCommand,
  reprice: repriceCommand,
};

function onePositional(positionals: string[], name: string): string {
  if (positionals.length !== 1) throw new CliArgumentError(`expected exactly one ${name}, got ${positionals.length}.`);
  return positionals[0]!;
}

function range(v: Record<string, unknown>): { start?: Date; end?: Date } {
  if (v.since !== undefined && (v.start !== undefined || v.end !== undefined))
    throw new CliArgumentError('use --since or --start/--end, not both.');
  if (v.since !== undefined) return { start: parseSince(v.since as string) };
  const start = v.start === undefined ? undefined : parseDate('--start', v.start as string);
  const end = v.end === undefined ? undefined : parseDate('--end', v.end as string);
  if (start && end && start.getTime() > end.getTime()) {
    throw new CliArgumentError(`--start ${v.start} is after --end ${v.end}; give the earlier date as --start.`);
  }
  return { start, end };
}

/** Connects, runs `read` against the readers and prints its output. */
async function withReaders(values: Values, read: (readers: Readers) => Promise<Output>): Promise<number> {
  const organizationId = (values.org as string | undefined) ?? process.env.LLM_TRACES_ORGANIZATION_ID ?? '';
  const { config, opened } = await connect(connectionOptions(values));
  try {
    const readers: Readers = {
      llm: new LlmTraceReader({ client: opened.client, organizationId, database: config.database, table: config.llmTable }),
      otel: new OtelTraceReader({
        client: opened.client,
        organizationId,
        database: config.database,
        table: config.tracesTable ?? 'otel_traces',
        llmTable: config.llmTable,
      }),
    };
    const output = await read(readers).catch((error: unknown) => {
      throw explain(error, config);
    });
    console.log(values.json ? JSON.stringify(output.json, null, 2) : output.text);
    return 0;
  } finally {
    await opened.close().catch(() => {});
  }
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  return [
    'llm-traces: see what your LLM calls do and cost.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    '',
    'Run `llm-traces <command> --help` for its options.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(mainHelp());
    return name === undefined ? 2 : 0;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`llm-traces: unknown command '${name}'.\n\n${mainHelp()}`);
    return 2;
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseCommandArgs(command, rest);
  } catch (error) {
    console.error(`llm-traces ${name}: ${(error as Error).message}\n\nUsage: ${command.usage}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(`Usage: ${command.usage}\n\n${command.summary}.\n\n${command.help}`);
    return 0;
  }
  try {
    return await command.run(parsed.values, parsed.positionals);
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    // Library errors name their source (`llm-traces reader: ...`); here the command is the source.
    console.error(`llm-traces ${name}: ${message.replace(/^llm-traces( [a-z]+)?: /, '')}`);
    // A refused argument exits 2, as one the parser refuses; anything else 1.
    return error instanceof CliArgumentError || error instanceof ReaderArgumentError ? 2 : 1;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(`llm-traces: ${(error as Error)?.message ?? String(error)}`);
    process.exitCode = 1;
  },
);
