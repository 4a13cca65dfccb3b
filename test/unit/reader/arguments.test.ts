import { describe, expect, it } from 'vitest';
import { identifier, integerInRange, oneOf, optionalBoolean, requireString, timeRange } from '../../../src/reader/arguments.js';
import { ReaderArgumentError } from '../../../src/reader/errors.js';

function thrown(fn: () => unknown): ReaderArgumentError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ReaderArgumentError) return error;
    throw error;
  }
  throw new Error('expected a ReaderArgumentError');
}

describe('reader argument validation', () => {
  it('requires strings and names the argument', () => {
    expect(requireString('id', 'call-1')).toBe('call-1');
    expect(requireString('organizationId', '', { allowEmpty: true })).toBe('');
    const error = thrown(() => requireString('id', 42));
    expect(error.argument).toBe('id');
    expect(error.message).toBe('llm-traces reader: id must be a non-empty string (got 42)');
    expect(thrown(() => requireString('id', '')).message).toContain('id must be a non-empty string (got "")');
    expect(thrown(() => requireString('organizationId', undefined, { allowEmpty: true })).message).toContain(
      'organizationId must be a string (got undefined)',
    );
  });

  it('checks integer ranges and applies the default', () => {
    expect(integerInRange('limit', undefined, 50, 1, 1000)).toBe(50);
    expect(integerInRange('limit', 1000, 50, 1, 1000)).toBe(1000);
    expect(thrown(() => integerInRange('limit', -1, 50, 1, 1000)).message).toBe(
      'llm-traces reader: limit must be an integer from 1 to 1000 (got -1)',
    );
    expect(thrown(() => integerInRange('limit', 1001, 50, 1, 1000)).argument).toBe('limit');
    expect(thrown(() => integerInRange('offset', 1.5, 0, 0, 10)).argument).toBe('offset');
    expect(thrown(() => integerInRange('limit', '10', 50, 1, 1000)).message).toContain('(got "10")');
  });

  it('checks time ranges', () => {
    const start = new Date('2026-11-20T10:00:00Z');
    const end = new Date('2026-11-20T11:00:00Z');
    expect(timeRange(start, end)).toEqual({ start, end });
    expect(timeRange(undefined, undefined)).toEqual({});
    expect(timeRange(start, start)).toEqual({ start, end: start });
    const reversed = thrown(() => timeRange(end, start));
    expect(reversed.argument).toBe('start');
    expect(reversed.message).toBe(
      'llm-traces reader: start must not be after end (2026-11-20T10:00:00.000Z) (got 2026-11-20T11:00:00.000Z)',
    );
    expect(thrown(() => timeRange(new Date('nope'), undefined)).message).toBe(
      'llm-traces reader: start must be a valid Date (got Invalid Date)',
    );
    expect(thrown(() => timeRange(undefined, '2026-11-20')).argument).toBe('end');
  });

  it('accepts only allow-listed values and plain identifiers', () => {
    expect(oneOf('groupBy', 'model', ['model', 'provider'])).toBe('model');
    expect(thrown(() => oneOf('groupBy', 'user_id', ['model', 'provider'])).message).toBe(
      "llm-traces reader: groupBy must be one of 'model', 'provider' (got \"user_id\")",
    );
    expect(identifier('table', 'llm_traces')).toBe('llm_traces');
    expect(identifier('database', 'otel-prod')).toBe('otel-prod');
    expect(thrown(() => identifier('table', 'llm_traces; DROP TABLE x')).argument).toBe('table');
    expect(thrown(() => identifier('database', '1db')).argument).toBe('database');
    expect(optionalBoolean('isError', undefined)).toBeUndefined();
    expect(thrown(() => optionalBoolean('isError', 'true')).argument).toBe('isError');
  });
});

describe('reader arguments the engine could not take', () => {
  it('refuses a Date outside 1900-01-01 .. 2262-04-11, naming it', () => {
    const error = thrown(() => timeRange(new Date(253_402_300_800_000), undefined));
    expect(error.argument).toBe('start');
    expect(error.message).toContain('start must be a date from 1900-01-01 to 2262-04-11');
    expect(thrown(() => timeRange(undefined, new Date(Date.UTC(1800, 0, 1)))).argument).toBe('end');
  });

  it('refuses text longer than any id or filter value, naming it', () => {
    const error = thrown(() => requireString('agentId', 'a'.repeat(300 * 1024)));
    expect(error.argument).toBe('agentId');
    expect(error.message).toContain('agentId must be at most 16384 characters');
    expect(requireString('agentId', 'a'.repeat(16_384))).toHaveLength(16_384);
  });
});
