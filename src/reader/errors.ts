/** A reader method was called with an argument it cannot use; `argument` names it. */
export class ReaderArgumentError extends Error {
  override readonly name = 'ReaderArgumentError';

  constructor(
    readonly argument: string,
    problem: string,
    received: unknown,
  ) {
    super(`llm-traces reader: ${argument} ${problem} (got ${describe(received)})`);
  }
}

function describe(value: unknown): string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (value === null || value === undefined) return String(value);
  return typeof value;
}
