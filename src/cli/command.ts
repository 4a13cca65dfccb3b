/** The shape of a CLI command, and the connection flags the commands that open a store share. */
import type { ParseArgsConfig } from 'node:util';
import type { ClickHouseTraceExporterOptions } from '../config/config.js';

export type Values = Record<string, string | boolean | undefined>;

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
