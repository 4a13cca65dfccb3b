#!/usr/bin/env node
/**
 * `llm-traces`: read LLM traces from the terminal, and serve an embedded store to other processes.
 * Connects like the exporter: OTEL_EXPORTER_CLICKHOUSE_ENDPOINT for a server, else the embedded
 * store at OTEL_EXPORTER_CLICKHOUSE_PATH (default .llm-traces).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { LlmTraceReader, OtelTraceReader, ReaderArgumentError, USAGE_GROUP_BY, type UsageGroupBy } from '../reader/index.js';
import { ConfigError, type ClickHouseTraceExporterOptions } from '../config.js';
import { list, parseDate, parseLimit, parseSince, show, stats, traceTree, type Output, type Readers } from './commands.js';
import { CliError, connect, explain } from './connect.js';
import { repriceCommand } from './reprice-command.js';
import { serveCommand, uiCommand } from './serve.js';

const CONNECTION_OPTIONS = {
  endpoint: { type: 'string' },
  path: { type: 'string' },
  database: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  org: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const CONNECTION_HELP = `Connection (like the exporter):
  --endpoint URL     ClickHouse or \`llm-traces serve\` URL (OTEL_EXPORTER_CLICKHOUSE_ENDPOINT)
  --path DIR         embedded store when there is no endpoint (OTEL_EXPORTER_CLICKHOUSE_PATH, default .llm-traces)
  --database NAME    (OTEL_EXPORTER_CLICKHOUSE_DATABASE, default otel)
  --user, --password (OTEL_EXPORTER_CLICKHOUSE_USERNAME / _PASSWORD)
  --org ID           organization to read (LLM_TRACES_ORGANIZATION_ID; default: the default organization '')
  --json             machine-readable output`;

interface Command {
  summary: string;
  usage: string;
  options: ParseArgsConfig['options'];
  run(values: Record<string, string | boolean | undefined>, positionals: string[], readers: Readers): Promise<Output>;
}

const COMMANDS: Record<string, Command> = {
  stats: {
    summary: 'usage and latency grouped by model, agent, call type or provider',
    usage: `llm-traces stats [--group-by ${USAGE_GROUP_BY.join('|')}] [--since 24h | --start DATE --end DATE]`,
    options: { 'group-by': { type: 'string' }, since: { type: 'string' }, start: { type: 'string' }, end: { type: 'string' } },
    run: (v, _p, readers) => {
      const groupBy = (v['group-by'] as string | undefined) ?? 'model';
      if (!(USAGE_GROUP_BY as readonly string[]).includes(groupBy)) {
        throw new CliError(`--group-by '${groupBy}' is not one of ${USAGE_GROUP_BY.join(', ')}.`);
      }
      const { start, end } = range(v);
      return stats(readers, groupBy as UsageGroupBy, start, end);
    },
  },
  list: {
    summary: 'LLM calls, newest first',
    usage: 'llm-traces list [--agent ID] [--errors] [--call-type TYPE] [--limit N] [--since 24h | --start DATE --end DATE]',
    options: {
      agent: { type: 'string' },
      errors: { type: 'boolean' },
      'call-type': { type: 'string' },
      limit: { type: 'string' },
      since: { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
    },
    run: (v, _p, readers) =>
      list(readers, {
        agentId: v.agent as string | undefined,
        callType: v['call-type'] as string | undefined,
        errorsOnly: v.errors === true,
        limit: parseLimit(v.limit as string | undefined, 20),
        ...range(v),
      }),
  },
  show: {
    summary: 'one LLM call with every field and its payloads pretty-printed',
    usage: 'llm-traces show <id>',
    options: {},
    run: (_v, positionals, readers) => show(readers, onePositional(positionals, '<id>')),
  },
  trace: {
    summary: 'the span tree of a trace or a run, LLM calls annotated',
    usage: 'llm-traces trace <traceId> | llm-traces trace --run <runId> [--all] [--limit N]',
    options: { run: { type: 'string' }, all: { type: 'boolean' }, limit: { type: 'string' } },
    run: (v, positionals, readers) => {
      const runId = v.run as string | undefined;
      const target = runId !== undefined ? { runId } : { traceId: onePositional(positionals, '<traceId>') };
      // A run view shows its UI spans by default; a trace shows everything.
      const uiSpansOnly = v.all === true ? false : runId !== undefined;
      return traceTree(readers, target, uiSpansOnly, parseLimit(v.limit as string | undefined, 1000));
    },
  },
};

function onePositional(positionals: string[], name: string): string {
  if (positionals.length !== 1) throw new CliError(`expected exactly one ${name}, got ${positionals.length}.`);
  return positionals[0]!;
}

function range(v: Record<string, unknown>): { start?: Date; end?: Date } {
  if (v.since !== undefined && (v.start !== undefined || v.end !== undefined))
    throw new CliError('use --since or --start/--end, not both.');
  if (v.since !== undefined) return { start: parseSince(v.since as string) };
  return {
    start: v.start === undefined ? undefined : parseDate('--start', v.start as string),
    end: v.end === undefined ? undefined : parseDate('--end', v.end as string),
  };
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length), 'reprice'.length);
  return [
    'llm-traces: see what your LLM calls do and cost.',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`),
    `  ${'serve'.padEnd(width)}  serve the embedded store over ClickHouse's HTTP interface, a JSON API and the web viewer`,
    `  ${'ui'.padEnd(width)}  start the server and print (or --open) the web viewer's address`,
    `  ${'reprice'.padEnd(width)}  recompute stored costs after a price change`,
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
  if (name === 'serve') return serveCommand(rest);
  if (name === 'ui') return uiCommand(rest);
  if (name === 'reprice') return repriceCommand(rest);
  const command = COMMANDS[name];
  if (!command) {
    console.error(`llm-traces: unknown command '${name}'.\n\n${mainHelp()}`);
    return 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: rest, options: { ...CONNECTION_OPTIONS, ...command.options }, allowPositionals: true, strict: true });
  } catch (error) {
    console.error(`llm-traces ${name}: ${(error as Error).message}\n\nUsage: ${command.usage}`);
    return 2;
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help) {
    console.log(`Usage: ${command.usage}\n\n${command.summary}.\n\n${CONNECTION_HELP}`);
    return 0;
  }
  const options: ClickHouseTraceExporterOptions = {
    endpoint: values.endpoint as string | undefined,
    path: values.path as string | undefined,
    database: values.database as string | undefined,
    username: values.user as string | undefined,
    password: values.password as string | undefined,
  };
  const organizationId = (values.org as string | undefined) ?? process.env.LLM_TRACES_ORGANIZATION_ID ?? '';
  let connected: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    connected = await connect(options);
    const { config, opened } = connected;
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
    const output = await command.run(values, parsed.positionals, readers).catch((error: unknown) => {
      throw explain(error, config);
    });
    console.log(values.json ? JSON.stringify(output.json, null, 2) : output.text);
    return 0;
  } catch (error) {
    const known = error instanceof CliError || error instanceof ConfigError || error instanceof ReaderArgumentError;
    console.error(`llm-traces ${name}: ${known ? error.message : ((error as Error)?.message ?? String(error))}`);
    return 1;
  } finally {
    await connected?.opened.close().catch(() => {});
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
