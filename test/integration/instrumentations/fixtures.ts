/**
 * The captured span fixtures (test/fixtures/spans/<library>@<version>/<scenario>.json, format in
 * that folder's README) loaded as `ReadableSpan`s.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { FakeApi } from '../../support/fake-provider.js';
import { makeSpan } from '../../support/spans.js';

export interface FixtureCall {
  api: FakeApi;
  model: string | null;
  stream: boolean;
  status: number;
  usage: Record<string, unknown> | null;
}

export interface SerializedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  startTime: [number, number];
  endTime: [number, number];
  status: { code: number; message: string | null };
  attributes: ReadableSpan['attributes'];
  events: Array<{ name: string; time: [number, number]; attributes: ReadableSpan['attributes'] }>;
  links: Array<{ traceId: string; spanId: string; attributes: ReadableSpan['attributes'] }>;
  resource: ReadableSpan['attributes'];
  scope: { name: string; version: string | null };
}

export interface Fixture {
  /** `<library>@<version>/<scenario>`. */
  id: string;
  /** The folder: `<library>@<major or minor>`. */
  dir: string;
  scenario: string;
  provider: { calls: FixtureCall[] };
  spans: SerializedSpan[];
}

const ROOT = new URL('../../fixtures/spans/', import.meta.url);

export function loadFixtures(): Fixture[] {
  const fixtures: Fixture[] = [];
  for (const dir of readdirSync(ROOT, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    for (const file of readdirSync(new URL(`${dir.name}/`, ROOT)).filter((name) => name.endsWith('.json')).sort()) {
      const parsed = JSON.parse(readFileSync(new URL(`${dir.name}/${file}`, ROOT), 'utf8'), reviveNonFinite) as Omit<Fixture, 'id' | 'dir'>;
      fixtures.push({ ...parsed, id: `${dir.name}/${parsed.scenario}`, dir: dir.name });
    }
  }
  return fixtures;
}

/** JSON has no NaN: the capture wrote non-finite attribute numbers as `{ "$nonFinite": "NaN" }`. */
function reviveNonFinite(_key: string, value: unknown): unknown {
  return value !== null && typeof value === 'object' && '$nonFinite' in value ? Number((value as { $nonFinite: string }).$nonFinite) : value;
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
    attributes: span.attributes,
    events: span.events,
    links: span.links.map((link) => ({ context: { traceId: link.traceId, spanId: link.spanId, traceFlags: 1 }, attributes: link.attributes })),
    resource: span.resource,
    scope: { name: span.scope.name, version: span.scope.version ?? undefined },
  });
}
