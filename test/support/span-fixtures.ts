/**
 * Spans captured from the real instrumentation libraries (test/fixtures/spans, written by the
 * capture scripts; format in their FINDINGS.md) turned back into `ReadableSpan`s. The truth the rows are
 * checked against is token-truth.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Attributes, HrTime, SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FakeApi } from './fake-provider.js';
import { makeSpan } from './spans.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/spans/', import.meta.url));

type Json = Record<string, unknown>;

export interface FixtureCall {
  api: FakeApi;
  model: string | null;
  scenario: string;
  stream: boolean;
  status: number;
  usage: Json | null;
}

export interface SerializedSpan {
  name: string;
  kind: SpanKind;
  traceId: string;
  spanId: string;
  parentSpanId?: string | null;
  startTime: HrTime;
  endTime: HrTime;
  status: { code: number; message?: string | null };
  attributes: Record<string, unknown>;
  events: Array<{ name: string; time: HrTime; attributes?: Record<string, unknown> }>;
  links?: Array<{ traceId: string; spanId: string; attributes?: Record<string, unknown> }>;
  resource: Attributes;
  scope: { name: string; version?: string | null };
}

export interface SpanFixture {
  /** `<library dir>/<scenario>`, for test names. */
  id: string;
  /** The folder: `<library>@<major or minor>`. */
  dir: string;
  /** `<library dir>/<scenario>.json`. */
  file: string;
  library: string;
  version: string;
  scenario: string;
  provider: { usage: Json | null; calls: FixtureCall[] };
  thrown?: string;
  /** The id columns every row must carry: the ids the app passed (recorded by newer captures). */
  expectedIds?: Record<string, string>;
  /** The spans as captured, in the order they ended. */
  raw: SerializedSpan[];
  spans: ReadableSpan[];
}

/** One directory per captured `library@major`. */
export function fixtureDirs(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
}

/** The fixtures of one directory, or of all of them. */
export function loadFixtures(dir?: string): SpanFixture[] {
  if (dir === undefined) return fixtureDirs().flatMap((each) => loadFixtures(each));
  return readdirSync(`${FIXTURES}${dir}`)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => loadFixture(`${dir}/${name.slice(0, -'.json'.length)}`));
}

/** `dir/scenario`, e.g. `ai@5/stream-text-anthropic`. */
export function loadFixture(path: string): SpanFixture {
  // The capture writes NaN and infinities (AI SDK 4 puts NaN token counts on spans) as markers.
  const raw = JSON.parse(readFileSync(`${FIXTURES}${path}.json`, 'utf8'), (_key, value: unknown) =>
    value !== null && typeof value === 'object' && '$nonFinite' in value ? Number((value as { $nonFinite: string }).$nonFinite) : value,
  ) as Omit<SpanFixture, 'spans' | 'raw' | 'file' | 'id' | 'dir'> & { spans: SerializedSpan[] };
  const dir = path.slice(0, path.indexOf('/'));
  return { ...raw, id: `${dir}/${raw.scenario}`, dir, file: `${path}.json`, raw: raw.spans, spans: raw.spans.map(toReadableSpan) };
}

export function toReadableSpan(span: SerializedSpan): ReadableSpan {
  return makeSpan({
    name: span.name,
    kind: span.kind,
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? undefined,
    startTime: span.startTime,
    endTime: span.endTime,
    status: { code: span.status.code, message: span.status.message ?? undefined },
    attributes: withoutNulls(span.attributes),
    events: span.events.map((event) => ({ name: event.name, time: event.time, attributes: withoutNulls(event.attributes ?? {}) })),
    links: (span.links ?? []).map((link) => ({
      context: { traceId: link.traceId, spanId: link.spanId, traceFlags: 1 },
      attributes: withoutNulls(link.attributes ?? {}),
    })),
    resource: span.resource,
    scope: { name: span.scope.name, version: span.scope.version ?? undefined },
  });
}

/** JSON has no `undefined`: the SDK's unset values were written as null. */
function withoutNulls(values: Record<string, unknown>): Attributes {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, value ?? undefined])) as Attributes;
}
