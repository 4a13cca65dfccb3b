/**
 * What the fault tests share: a store served by `llm-traces serve` (a child process, so it can be
 * killed and restarted on the same data directory and port), spans with unique ids labelled by
 * scenario, the row counts a scenario left in ClickHouse, and captures of diag and console lines.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, vi } from 'vitest';
import { DiagLogLevel, SpanKind, diag, type DiagLogger } from '@opentelemetry/api';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ClickHouseTraceExporter } from '../../../src/exporter.js';
import type { ExporterStats } from '../../../src/delivery/counters.js';
import { startServe, type ServeProcess } from '../../support/serve-process.js';
import { makeSpan } from '../../support/spans.js';

/** A data directory served on a fixed port, so a restarted server is found where the exporter looks. */
export class ServedStore {
  private serve: ServeProcess | undefined;

  private constructor(
    readonly path: string,
    readonly port: number,
    private readonly credentials: string[],
  ) {}

  /** A fresh data directory and a free port, with no server yet (`start()` brings it up). */
  static async create(credentials?: { user: string; password: string }): Promise<ServedStore> {
    const path = mkdtempSync(join(tmpdir(), 'llm-traces-faults-'));
    const args = credentials ? ['--user', credentials.user, '--password', credentials.password] : [];
    return new ServedStore(path, await freePort(), args);
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.serve?.child.pid;
  }

  async start(): Promise<void> {
    this.serve = await startServe(['--path', this.path, '--port', String(this.port), ...this.credentials]);
  }

  /** Stops the server with the signal; SIGKILL gives it no chance to finish anything. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    const serve = this.serve;
    this.serve = undefined;
    return serve ? serve.stop(signal) : null;
  }

  output(): string {
    return this.serve?.output() ?? '';
  }

  /** The server's exit code or signal if it is gone by itself (a crash), undefined while it runs. */
  exited(): string | undefined {
    const child = this.serve?.child;
    if (!child || (child.exitCode === null && child.signalCode === null)) return undefined;
    return String(child.exitCode ?? child.signalCode);
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.path, { recursive: true, force: true });
  }
}

/** A served store for the tests of the enclosing file or describe block: started before them, disposed after them. */
export function useServedStore(): { readonly current: ServedStore } {
  const holder: { current: ServedStore } = { current: undefined as unknown as ServedStore };
  beforeAll(async () => {
    holder.current = await ServedStore.create();
    await holder.current.start();
  });
  afterAll(async () => {
    await holder.current?.dispose();
  });
  return holder;
}

/**
 * A port nothing listens on now, below the ephemeral range (Linux: 32768 and up), so that no
 * outgoing connection takes it as its local port while the server is down between two starts.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port found between 20000 and 32000');
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export interface StoredCounts {
  spans: number;
  distinctSpans: number;
  llmCalls: number;
  distinctLlmCalls: number;
}

/** Rows a scenario (its `service.name`) left in both tables, counted and by distinct span id. */
export async function storedCounts(
  url: string,
  service: string,
  auth: { username?: string; password?: string } = {},
): Promise<StoredCounts> {
  const client = createClient({ url, ...auth });
  try {
    const rows = await (
      await client.query({
        query: `SELECT
                  (SELECT count() FROM otel.otel_traces WHERE ServiceName = {service:String}) AS spans,
                  (SELECT uniqExact(SpanId) FROM otel.otel_traces WHERE ServiceName = {service:String}) AS distinctSpans,
                  (SELECT count() FROM otel.llm_traces WHERE service_name = {service:String}) AS llmCalls,
                  (SELECT uniqExact(span_id) FROM otel.llm_traces WHERE service_name = {service:String}) AS distinctLlmCalls`,
        query_params: { service },
        format: 'JSONEachRow',
      })
    ).json<Record<keyof StoredCounts, string>>();
    const row = rows[0]!;
    return {
      spans: Number(row.spans),
      distinctSpans: Number(row.distinctSpans),
      llmCalls: Number(row.llmCalls),
      distinctLlmCalls: Number(row.distinctLlmCalls),
    };
  } finally {
    await client.close();
  }
}

/** Span ids of a scenario's stored spans. */
export async function storedSpanIds(url: string, service: string): Promise<Set<string>> {
  const client = createClient({ url });
  try {
    const rows = await (
      await client.query({
        query: 'SELECT DISTINCT SpanId FROM otel.otel_traces WHERE ServiceName = {service:String}',
        query_params: { service },
        format: 'JSONEachRow',
      })
    ).json<{ SpanId: string }>();
    return new Set(rows.map((r) => r.SpanId));
  } finally {
    await client.close();
  }
}

/** A run-unique id prefix, so spans of different runs and scenarios never share an id. */
const RUN = randomBytes(3).toString('hex');
let sequence = 0;

function nextSpanId(): string {
  return `${RUN}${(sequence++).toString(16).padStart(10, '0')}`;
}

/**
 * `count` finished spans of one scenario (`service.name` = `service`); every `llmEvery`-th is an
 * OpenAI chat call (an `llm_traces` row), with `payloadBytes` of input messages.
 */
export function scenarioSpans(service: string, count: number, { llmEvery = 10, payloadBytes = 512 } = {}): ReadableSpan[] {
  const traceId = `${RUN}${randomBytes(13).toString('hex')}`;
  const spans: ReadableSpan[] = [];
  for (let i = 0; i < count; i++) {
    const llm = llmEvery > 0 && i % llmEvery === llmEvery - 1;
    spans.push(
      makeSpan({
        name: llm ? 'chat gpt-4.1-mini' : `work ${i}`,
        kind: llm ? SpanKind.CLIENT : SpanKind.INTERNAL,
        traceId,
        spanId: nextSpanId(),
        resource: { 'service.name': service },
        attributes: llm ? llmAttributes(i, payloadBytes) : { 'work.index': i },
      }),
    );
  }
  return spans;
}

export function llmAttributes(i: number, payloadBytes: number): Record<string, string | number> {
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4.1-mini',
    'gen_ai.response.model': 'gpt-4.1-mini-2025-04-14',
    'gen_ai.usage.input_tokens': 100 + i,
    'gen_ai.usage.output_tokens': 20,
    'gen_ai.input.messages': JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: prose(payloadBytes, i) }] }]),
    'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: prose(256, i + 1) }] }]),
  };
}

const WORDS = [
  'the',
  'agent',
  'calls',
  'a',
  'tool',
  'with',
  'retrieved',
  'context',
  'and',
  'summarizes',
  'invoice',
  'totals',
  'for',
  'customer',
  'region',
  'quarter',
];

/** About `bytes` of word soup, different per seed (compresses like text, not like one repeated string). */
export function prose(bytes: number, seed: number): string {
  const words: string[] = [];
  let length = 0;
  let x = seed * 2_654_435_761 + 1;
  while (length < bytes) {
    x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
    const word = WORDS[x % WORDS.length]!;
    words.push(word);
    length += word.length + 1;
  }
  return words.join(' ');
}

export function llmCount(spans: readonly ReadableSpan[]): number {
  return spans.filter((s) => s.attributes['gen_ai.operation.name'] !== undefined).length;
}

export function exportSpans(exporter: ClickHouseTraceExporter, spans: ReadableSpan[]): Promise<ExportResult> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

export function totalDropped(stats: ExporterStats): number {
  return Object.values(stats.dropped).reduce((sum, n) => sum + n, 0);
}

export interface DiagLine {
  level: 'error' | 'warn' | 'info' | 'debug' | 'verbose';
  text: string;
}

/** Captures every diag line (all levels) until `stop()`. */
export function captureDiag(): { lines: DiagLine[]; stop(): void } {
  const lines: DiagLine[] = [];
  const record =
    (level: DiagLine['level']) =>
    (message: string, ...args: unknown[]): void => {
      lines.push({
        level,
        text: [message, ...args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack ?? ''}` : String(a)))].join(' '),
      });
    };
  const logger: DiagLogger = {
    error: record('error'),
    warn: record('warn'),
    info: record('info'),
    debug: record('debug'),
    verbose: record('verbose'),
  };
  diag.setLogger(logger, { logLevel: DiagLogLevel.ALL, suppressOverrideMessage: true });
  return { lines, stop: () => diag.disable() };
}

/** Resolves the promise, or rejects naming `what` after `ms` (so a hang fails the test with a reason). */
export async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Diagnostic figures of a fault test, printed only on request (LLM_TRACES_TEST_REPORT=1): a passing run stays quiet. */
export function report(text: string): void {
  if (process.env.LLM_TRACES_TEST_REPORT) process.stdout.write(`${text}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Captures what is written through console.error/warn/info/debug until `stop()`: the exporter
 * should speak only through diag.
 */
export function captureConsole(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  const spies = (['error', 'warn', 'info', 'debug'] as const).map((method) =>
    vi
      .spyOn(console, method)
      .mockImplementation(
        (...args: unknown[]) =>
          void lines.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack ?? ''}` : String(a))).join(' ')),
      ),
  );
  return { lines, stop: () => spies.forEach((spy) => spy.mockRestore()) };
}

/** Console lines written by @clickhouse/client's own logger. */
export function clientLogLines(lines: readonly string[]): string[] {
  return lines.filter((line) => line.includes('[@clickhouse/client]'));
}
