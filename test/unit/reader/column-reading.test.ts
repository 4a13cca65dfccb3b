import { describe, expect, it } from 'vitest';
import { camelCase, dateFromEpochNanos, definitionType, exactSelect } from '../../../src/reader/column-reading.js';
import { llmTraceSelectList } from '../../../src/reader/llm-trace.js';
import { parseTableDefinition } from '../../../src/schema/ddl.js';

describe('column reading', () => {
  it('selects 64-bit integers and timestamps as exact text, everything else as is', () => {
    expect(exactSelect('`n`', 'UInt64')).toBe('toString(`n`)');
    expect(exactSelect('`n`', 'Nullable(UInt64)')).toBe('toString(`n`)');
    expect(exactSelect('`d`', 'Int64')).toBe('toString(`d`)');
    expect(exactSelect('`c`', 'Nullable(Decimal(18, 9))')).toBe('toString(`c`)');
    expect(exactSelect('`t`', "DateTime64(6, 'UTC')")).toBe('toString(toUnixTimestamp64Nano(`t`))');
    expect(exactSelect('`e`', 'Array(DateTime64(9))')).toBe('arrayMap(x -> toString(toUnixTimestamp64Nano(x)), `e`)');
    expect(exactSelect('`a`', 'Array(LowCardinality(String))')).toBe('`a`');
    expect(exactSelect('`l`', 'UInt32')).toBe('`l`');
    expect(exactSelect('`m`', 'Map(LowCardinality(String), String)')).toBe('`m`');
  });

  it('camelCases snake_case, PascalCase and Nested names', () => {
    expect(camelCase('time_to_first_token_ms')).toBe('timeToFirstTokenMs');
    expect(camelCase('id')).toBe('id');
    expect(camelCase('TraceId')).toBe('traceId');
    expect(camelCase('Events.Timestamp')).toBe('eventsTimestamp');
  });

  it('reads column types out of DDL definitions', () => {
    expect(definitionType("created_at DateTime64(6, 'UTC') CODEC(Delta(8), ZSTD(1))")).toBe("DateTime64(6, 'UTC')");
    expect(definitionType('metadata Map(LowCardinality(String), String) CODEC(ZSTD(1))')).toBe('Map(LowCardinality(String), String)');
    expect(definitionType('x UInt8')).toBe('UInt8');
    expect(definitionType("y String DEFAULT 'a b'")).toBe('String');
  });

  it('turns epoch nanoseconds into a Date', () => {
    expect(dateFromEpochNanos('1795346763970123457').toISOString()).toBe('2026-11-22T11:26:03.970Z');
  });

  it('derives the llm_traces select list from the DDL, payload columns only on request', () => {
    const columns = parseTableDefinition('llm_traces').columns.map((column) => column.name);
    const full = llmTraceSelectList(true);
    for (const column of columns) expect(full).toContain(`\`${column}\``);
    expect(full).toContain('toString(`prompt_tokens`) AS `promptTokens`');
    expect(full).toContain('toString(toUnixTimestamp64Nano(`created_at`)) AS `createdAt`');
    const summary = llmTraceSelectList(false);
    for (const payload of ['request_json', 'response_json', 'llm_config_json']) expect(summary).not.toContain(`\`${payload}\``);
    expect(summary.split(', ').length).toBe(columns.length - 3);
  });
});
