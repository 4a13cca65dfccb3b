import { describe, expect, it } from 'vitest';
import { LlmTracesStderrLogger } from '../../../src/zero-code/diagnostics.js';

describe('the stderr logger of llm-traces/register', () => {
  it("prints llm-traces' own warnings and errors once each, prefixed once, and nothing else", () => {
    const printed: string[] = [];
    const logger = new LlmTracesStderrLogger((line) => printed.push(line));
    logger.error('llm-traces', 'ClickHouse refused the exporter (AUTHENTICATION_FAILED): wrong password');
    logger.error('llm-traces', 'ClickHouse refused the exporter (AUTHENTICATION_FAILED): wrong password');
    logger.warn('llm-traces', 'llm-traces: the store at /s is held by `llm-traces serve` (pid 7); using it at http://127.0.0.1:8123');
    logger.error('llm-traces/clickhouse-client', 'socket hang up');
    logger.error('{"stack":"a BatchSpanProcessor error"}');
    logger.info();
    logger.debug();
    expect(printed).toEqual([
      'llm-traces: ClickHouse refused the exporter (AUTHENTICATION_FAILED): wrong password',
      'llm-traces: the store at /s is held by `llm-traces serve` (pid 7); using it at http://127.0.0.1:8123',
    ]);
  });
});
