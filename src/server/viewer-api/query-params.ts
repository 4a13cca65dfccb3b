/**
 * Strict query-string parsing for the viewer API: a parameter the route does not take, a repeated
 * one, or a value of the wrong form is a ParameterError naming it, answered with 400.
 */
import { parseDateText } from '../../reader/date-text.js';
import type { CallFilterOptions } from '../../reader/call-filter.js';

export class ParameterError extends Error {
  override readonly name = 'ParameterError';

  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

/** The common filters (F) of the call views. */
export const FILTER_PARAMS = [
  'start',
  'end',
  'agent_id',
  'run_id',
  'trace_id',
  'model',
  'provider',
  'call_type',
  'errors',
  'tag',
  'min_cost',
  'min_prompt_tokens',
  'q',
] as const;

/** Accepted by every route: the organization (as the /api routes take it) and the server's URL credentials. */
const ALWAYS_ALLOWED = ['organization_id', 'user', 'password'];

export class QueryParams {
  constructor(
    private readonly params: URLSearchParams,
    allowed: readonly string[],
  ) {
    for (const name of new Set(params.keys())) {
      if (!allowed.includes(name) && !ALWAYS_ALLOWED.includes(name)) {
        const takes = allowed.length > 0 ? `; this route takes ${allowed.join(', ')}` : '; this route takes none';
        throw new ParameterError(name, `unknown parameter '${clip(name)}'${takes}`);
      }
      if (params.getAll(name).length > 1) throw new ParameterError(name, `parameter '${name}' is given more than once`);
    }
  }

  string(name: string): string | undefined {
    return this.params.get(name) ?? undefined;
  }

  /** A non-empty string; `required` makes its absence an error too. */
  text(name: string, required: true): string;
  text(name: string, required?: false): string | undefined;
  text(name: string, required = false): string | undefined {
    const value = this.string(name);
    if (value === undefined && !required) return undefined;
    if (value === undefined || value === '') throw new ParameterError(name, `${name} is required and must not be empty`);
    return value;
  }

  /** ISO 8601 or epoch milliseconds. */
  date(name: string): Date | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const date = parseDateText(value);
    if (!date) throw new ParameterError(name, `${name} must be an ISO 8601 date or epoch milliseconds (got '${clip(value)}')`);
    return date;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
    if (!(n >= min && n <= max))
      throw new ParameterError(name, `${name} must be a whole number from ${min} to ${max} (got '${clip(value)}')`);
    return n;
  }

  /** A non-negative decimal with at most 9 fractional digits (USD). */
  decimal(name: string): string | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^\d{1,9}(\.\d{1,9})?$/.test(value)) {
      throw new ParameterError(name, `${name} must be a decimal amount such as 0.01 (at most 9 decimal places; got '${clip(value)}')`);
    }
    return value;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      throw new ParameterError(name, `${name} must be one of ${allowed.join(', ')} (got '${clip(value)}')`);
    }
    return value as T;
  }

  /** 1/true or 0/false. */
  flag(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (value === '1' || value === 'true') return true;
    if (value === '0' || value === 'false') return false;
    throw new ParameterError(name, `${name} must be 1 or 0 (got '${clip(value)}')`);
  }

  /** The common filters. */
  filters(): CallFilterOptions {
    return {
      start: this.date('start'),
      end: this.date('end'),
      agentId: this.string('agent_id'),
      runId: this.string('run_id'),
      traceId: this.string('trace_id'),
      model: this.string('model'),
      provider: this.string('provider'),
      callType: this.string('call_type'),
      isError: this.flag('errors'),
      tag: this.string('tag'),
      minCostUsd: this.decimal('min_cost'),
      minPromptTokens: this.integer('min_prompt_tokens', 0, Number.MAX_SAFE_INTEGER),
      search: this.string('q'),
    };
  }
}

/** The API parameter behind a reader argument, for a 400 that names what the client sent. */
const PARAMETER_OF_ARGUMENT: Record<string, string> = {
  agentId: 'agent_id',
  runId: 'run_id',
  traceId: 'trace_id',
  callType: 'call_type',
  isError: 'errors',
  minCostUsd: 'min_cost',
  minPromptTokens: 'min_prompt_tokens',
  search: 'q',
  maxBytes: 'max_bytes',
  groupBy: 'group_by',
};

export function parameterOfArgument(argument: string): string {
  if (argument.startsWith('after.')) return 'cursor';
  return PARAMETER_OF_ARGUMENT[argument] ?? argument;
}

export function clip(value: string): string {
  return value.length > 80 ? `${value.slice(0, 80)}...` : value;
}
