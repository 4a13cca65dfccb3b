/** The shape of a CLI command, and the connection flags the commands that open a store share. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { ClickHouseTraceExporterOptions } from '../config/config.js';
import { CliError } from './connect.js';

export type Values = Record<string, string | string[] | boolean | undefined>;

/** One command: its flags (parsed strictly by main, with node:util parseArgs) and what it runs. */
export interface Command {
  summary: string;
  usage: string;
  options: ParseArgsConfig['options'];
  /** Text after the summary in `--help`. */
  help: string;
  /** Positional arguments are allowed. */
  positionals?: boolean;
  /** Runs with the parsed flags; resolves to the exit code, throws what main prints as the error. */
  run(values: Values, positionals: string[]): Promise<number>;
}

export const CONNECTION_OPTIONS = {
  endpoint: { type: 'string' },
  path: { type: 'string' },
  database: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** The exporter options the connection flags give. */
export function connectionOptions(values: Values): ClickHouseTraceExporterOptions {
  return {
    endpoint: values.endpoint as string | undefined,
    path: values.path as string | undefined,
    database: values.database as string | undefined,
    username: values.user as string | undefined,
    password: values.password as string | undefined,
  };
}

/**
 * The command's flags, parsed strictly (node:util parseArgs, plus `--help`). The parser's errors
 * are put in this package's words: what is wrong with which flag and how to write it.
 */
export function parseCommandArgs(command: Command, args: string[]): { values: Values; positionals: string[] } {
  const options = { ...command.options, help: { type: 'boolean', short: 'h' } } satisfies ParseArgsConfig['options'];
  try {
    return parseArgs({ args, options, allowPositionals: command.positionals === true, strict: true }) as {
      values: Values;
      positionals: string[];
    };
  } catch (error) {
    throw new CliError(argumentProblem(error as Error & { code?: string }, options));
  }
}

function argumentProblem(error: Error & { code?: string }, options: NonNullable<ParseArgsConfig['options']>): string {
  // The parser names the argument in quotes: `'--limit'`, `'--limit <value>'`, `''b'`.
  const quoted = /'(.*?)'(?=[ .]|$)/.exec(error.message)?.[1] ?? '';
  const flag = quoted.split(' ')[0]!;
  const flags = Object.keys(options).map((name) => `--${name}`);
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${flag}; this command takes ${flags.join(', ')}.`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return (
        `unexpected argument ${JSON.stringify(quoted)}: this command takes no bare arguments. ` +
        'Is it a value without its flag, or a quote the shell left unclosed?'
      );
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      if (options[flag.replace(/^-+/, '')]?.type === 'boolean') return `${flag} is a switch and takes no value: write ${flag} alone.`;
      if (/ambiguous/.test(error.message)) {
        return `${flag} is followed by something that looks like a flag; write a value that starts with '-' as ${flag}=VALUE.`;
      }
      return `${flag} needs a value, as in ${flag} VALUE.`;
    }
    default:
      return error.message;
  }
}
