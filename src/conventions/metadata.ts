/**
 * User metadata maps: AI SDK `ai.telemetry.metadata.*` and `ai.settings.context.*`, Traceloop
 * `traceloop.association.properties.*`, OpenInference `metadata`. The whole map lands in the
 * call's `metadata`; its well-known keys (fields.ts) also name the application's own ids.
 */
import { APPLICATION_IDS, entriesOf, type IdField } from '../model/fields.js';
import type { CallContext } from '../model/llm-call.js';
import { toText } from '../model/normalize.js';
import { isObject } from '../model/json.js';
import type { Attributes } from '@opentelemetry/api';
import { parsedJson, withPrefix } from './attributes.js';

export type MetadataContext = Pick<CallContext, IdField> & { metadata?: Record<string, string> };

/** The map itself plus the ids its well-known keys name. */
export function contextFromMetadata(metadata: Record<string, string> | undefined): MetadataContext {
  if (metadata === undefined) return {};
  const context: MetadataContext = { metadata };
  for (const [field, { metadataKeys }] of entriesOf(APPLICATION_IDS)) {
    context[field] = metadataKeys.map((key) => toText(metadata[key])).find((id) => id !== undefined);
  }
  return context;
}

/** Several maps as one; on a key clash the earlier map wins, like the convention precedence. */
export function mergeMetadata(...maps: Array<Record<string, string> | undefined>): Record<string, string> | undefined {
  const present = maps.filter((map): map is Record<string, string> => map !== undefined);
  return present.length === 0 ? undefined : Object.assign({}, ...present.reverse());
}

/** A JSON object (or its text, as OpenInference's `metadata` attribute holds it) as a metadata map. */
export function metadataFromJson(value: unknown): Record<string, string> | undefined {
  const parsed = parsedJson(value);
  if (!isObject(parsed)) return undefined;
  const entries = Object.entries(parsed)
    .filter(([, entry]) => entry !== null && entry !== undefined)
    .map(([key, entry]) => [key, typeof entry === 'string' ? entry : JSON.stringify(entry)] as const);
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/**
 * Every user-metadata map on a span, whichever library wrote it: Traceloop association properties
 * also land on spans of other instrumentations (the Traceloop SDK sets them on every span).
 */
export function userMetadata(a: Attributes): MetadataContext {
  return contextFromMetadata(
    mergeMetadata(
      withPrefix(a, 'ai.telemetry.metadata.'),
      withPrefix(a, 'ai.settings.context.'),
      withPrefix(a, 'traceloop.association.properties.'),
      metadataFromJson(a['metadata']),
    ),
  );
}
