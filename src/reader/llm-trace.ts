/**
 * One `llm_traces` row as a typed object. The selected columns, their camelCase field names and
 * their conversions all come from `ddl/llm_traces.sql`; the interface below mirrors it for the
 * type checker, its shared field sets derived from model/fields.ts (a test holds them equal to the DDL).
 */
import type { BillingField, CostField, IdField, NullableTokenField, TokenField } from '../model/fields.js';
import { parseTableDefinition } from '../schema/ddl.js';
import { camelCase, dateFromEpochNanos, definitionType, isDateTime64, isWideInteger, selectColumnAs } from './column-reading.js';

/** The application ids, tags and billing context (model/fields.ts), billing flattened to `billingPlanType`, .... */
export type LlmTraceContext = { [K in IdField]: string } & { agentTags: string[] } & {
  [K in BillingField as `billing${Capitalize<K>}`]: string;
};

/** Token counts; the nullable ones are null when not reported (model/fields.ts). */
export type LlmTraceTokens = { [K in TokenField]: K extends NullableTokenField ? number | null : number };

/** USD as exact decimal strings (`"0.0125"`), null when the call has no known price; `costSource` says where a cost came from. */
export type LlmTraceCost = { [K in CostField]: string | null } & { costSource: string };

export interface LlmTrace extends LlmTraceContext, LlmTraceTokens, LlmTraceCost {
  id: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  serviceName: string;
  spanName: string;
  callType: string;
  provider: string;
  model: string;
  requestModel: string;
  isByok: boolean;
  requestSizeBytes: number;
  responseSizeBytes: number;
  /** A payload was longer than the cap and was stored cut, with a marker; the sizes are the originals. */
  payloadTruncated: boolean;
  /** False when the call reported no usage: its token counts are 0 but unknown, not zero. */
  hasUsage: boolean;
  latencyMs: number;
  timeToFirstTokenMs: number | null;
  isError: boolean;
  errorType: string;
  errorMessage: string;
  finishReasons: string[];
  requestJson: string;
  responseJson: string;
  llmConfigJson: string;
  metadata: Record<string, string>;
  createdAt: Date;
}

/** The large payload fields, left out of list results unless `includePayloads` is set. */
export type PayloadField = 'requestJson' | 'responseJson' | 'llmConfigJson';

/** A list result without payloads. */
export type LlmTraceSummary = Omit<LlmTrace, PayloadField>;

interface ColumnReading {
  field: string;
  select: string;
  /** Payload columns hold whole request/response JSON documents; they are the ones named `*_json`. */
  payload: boolean;
  decode: (value: unknown) => unknown;
}

const columns: ColumnReading[] = parseTableDefinition('llm_traces')
  .columns.filter((column) => !column.computed)
  .map((column) => {
    const type = definitionType(column.definition);
    const field = camelCase(column.name);
    return { field, select: selectColumnAs(column.name, type, field), payload: column.name.endsWith('_json'), decode: decoderFor(type) };
  });

function decoderFor(type: string): (value: unknown) => unknown {
  if (isWideInteger(type)) return (value) => (value === null ? null : Number(value));
  if (isDateTime64(type)) return (value) => dateFromEpochNanos(value as string);
  return (value) => value;
}

/** The SELECT list for `llm_traces` rows. */
export function llmTraceSelectList(includePayloads: boolean): string {
  return columns
    .filter((column) => includePayloads || !column.payload)
    .map((column) => column.select)
    .join(', ');
}

/** The SELECT list of some fields only (aliased to their field names, decoded by `toLlmTrace`). */
export function llmTraceFieldsSelectList(fields: readonly (keyof LlmTrace)[]): string {
  return fields
    .map((field) => {
      const column = columns.find((candidate) => candidate.field === field);
      if (!column) throw new Error(`llm-traces: llm_traces has no column for field ${field}`);
      return column.select;
    })
    .join(', ');
}

/** A row selected with `llmTraceSelectList` to its typed object. */
export function toLlmTrace(row: Record<string, unknown>): LlmTrace {
  const trace: Record<string, unknown> = {};
  for (const column of columns) {
    if (column.field in row) trace[column.field] = column.decode(row[column.field]);
  }
  return trace as unknown as LlmTrace;
}
