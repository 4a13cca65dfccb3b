import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, describeConfig, resolveConfig } from '../../../src/config/config.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('resolveConfig', () => {
  it('defaults to embedded ClickHouse at .llm-traces with database otel', () => {
    const config = resolveConfig();
    expect(config).toMatchObject({
      connection: { kind: 'embedded', path: '.llm-traces' },
      database: 'otel',
      tracesTable: 'otel_traces',
      llmTable: 'llm_traces',
      createSchema: true,
      ttlDays: undefined,
      timeoutMs: 10_000,
    });
  });

  it.each([
    ['http://ch.internal:9000', 'http://ch.internal:9000'],
    ['https://ch.cloud', 'https://ch.cloud:8443'],
    ['ch.internal:8124', 'http://ch.internal:8124'],
    ['ch.internal', 'http://ch.internal:8123'],
    ['http://localhost', 'http://localhost:8123'],
  ])('endpoint %s becomes %s', (endpoint, url) => {
    expect(resolveConfig({ endpoint }).connection).toMatchObject({ kind: 'server', url });
  });

  it('reads OTEL_EXPORTER_CLICKHOUSE_* first, then the ClickHouse client fallbacks', () => {
    vi.stubEnv('CLICKHOUSE_URL', 'http://fallback:8123');
    vi.stubEnv('CLICKHOUSE_USER', 'fallback_user');
    vi.stubEnv('CLICKHOUSE_PASSWORD', 'fallback-secret');
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_DATABASE', 'telemetry');
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_TTL_DAYS', '30');
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_TRACES_TABLE', 'none');
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_CREATE_SCHEMA', 'false');
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_TIMEOUT', '2500');
    expect(resolveConfig()).toMatchObject({
      connection: { kind: 'server', url: 'http://fallback:8123', username: 'fallback_user', password: 'fallback-secret', timeoutMs: 2500 },
      database: 'telemetry',
      tracesTable: undefined,
      ttlDays: 30,
      createSchema: false,
    });
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_ENDPOINT', 'primary:8123');
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_USERNAME', 'primary_user');
    expect(resolveConfig().connection).toMatchObject({ url: 'http://primary:8123', username: 'primary_user' });
  });

  it('options win over the environment', () => {
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_ENDPOINT', 'http://env:8123');
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_LLM_TABLE', 'env_llm');
    const config = resolveConfig({ endpoint: 'http://option:8123', llmTable: 'calls', tracesTable: null });
    expect(config.connection).toMatchObject({ url: 'http://option:8123' });
    expect(config.llmTable).toBe('calls');
    expect(config.tracesTable).toBeUndefined();
  });

  it('takes credentials out of the endpoint URL so it can be logged', () => {
    const config = resolveConfig({ endpoint: 'https://alice:s%40cret@ch.example.com/proxy' });
    expect(config.connection).toMatchObject({
      url: 'https://ch.example.com:8443',
      pathname: '/proxy',
      username: 'alice',
      password: 's@cret',
    });
    expect(describeConfig(config)).not.toContain('s@cret');
    expect(describeConfig(config)).toContain('https://ch.example.com:8443/proxy as alice');
  });

  it.each([
    [{ ttlDays: -1 }, "option 'ttlDays' is '-1'; it must be a whole number greater than 0"],
    [{ timeoutMs: 1.5 }, "option 'timeoutMs' is '1.5'"],
    [{ database: 'otel; DROP TABLE x' }, "option 'database' is 'otel; DROP TABLE x', which is not a valid ClickHouse name"],
    [{ endpoint: 'tcp://ch:9000' }, "uses the scheme 'tcp'; llm-traces talks to ClickHouse over HTTP"],
    [{ endpoint: 'http://[bad' }, "option 'endpoint' is not a valid ClickHouse endpoint"],
    [{ llmTable: 'x', tracesTable: 'x' }, "both 'x'"],
  ])('rejects %j with a message naming it', (options, message) => {
    expect(() => resolveConfig(options)).toThrow(ConfigError);
    expect(() => resolveConfig(options)).toThrow(message);
  });

  it('names the environment variable that holds a bad value', () => {
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_CREATE_SCHEMA', 'maybe');
    expect(() => resolveConfig()).toThrow("environment variable OTEL_EXPORTER_CLICKHOUSE_CREATE_SCHEMA is 'maybe'; use true or false");
  });

  it('never puts the password into an error', () => {
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_PASSWORD', 'hunter2-secret');
    vi.stubEnv('OTEL_EXPORTER_CLICKHOUSE_ENDPOINT', 'http://[bad');
    expect(() => resolveConfig()).toThrow(ConfigError);
    try {
      resolveConfig();
    } catch (error) {
      expect(String(error)).not.toContain('hunter2-secret');
    }
  });
});
