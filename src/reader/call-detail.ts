/**
 * One call for its detail page, without its payloads but with what the page needs to decide how
 * to fetch them (stored size, cut at write time or not); and one payload, fetched on demand and
 * cut to a size the page can take.
 */
import { truncationMarker } from '../model/payload-marker.js';
import { integerInRange, oneOf, requireString } from './arguments.js';
import { llmTraceSelectList, toLlmTrace, type LlmTraceSummary } from './llm-trace.js';
import type { OrganizationScope } from './organization-scope.js';
import type { SqlFilter } from './sql-filter.js';

export const PAYLOAD_PARTS = ['request', 'response'] as const;
export type PayloadPart = (typeof PAYLOAD_PARTS)[number];

const PAYLOAD_COLUMNS: Record<PayloadPart, { text: string; size: string }> = {
  request: { text: 'request_json', size: 'request_size_bytes' },
  response: { text: 'response_json', size: 'response_size_bytes' },
};

export interface CallDetail extends LlmTraceSummary {
  createdAtNs: string;
  llmConfigJson: string;
  /** UTF-8 bytes stored (after redaction and the cap). */
  requestStoredBytes: number;
  responseStoredBytes: number;
  /** Cut at write time by the payload cap: the stored text ends with the truncation marker. */
  requestCapped: boolean;
  responseCapped: boolean;
  /**
   * The response is the neutral form built from span attributes (top-level `messages`), not a
   * provider's body: no provider API answers with a top-level `messages` array.
   */
  responseAssembled: boolean;
}

export interface Payload {
  part: PayloadPart;
  /** UTF-8 bytes as the application produced it. */
  sizeBytes: number;
  storedBytes: number;
  /** Cut to `maxBytes` by this read. */
  truncated: boolean;
  capped: boolean;
  json: string;
}

export const DEFAULT_PAYLOAD_BYTES = 2 * 1024 * 1024;
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

// The marker holds the original size: split it around a sample number to match any size in SQL.
const [MARKER_PREFIX, MARKER_SUFFIX] = truncationMarker(1234567890).split('1234567890') as [string, string];
const MARKER_PARAMS = { markerPrefix: MARKER_PREFIX, markerSuffix: MARKER_SUFFIX };

function capped(part: PayloadPart): string {
  const { text, size } = PAYLOAD_COLUMNS[part];
  return `endsWith(${text}, concat({markerPrefix:String}, toString(${size}), {markerSuffix:String}))`;
}

function byId(id: string, params: Record<string, unknown> = {}): SqlFilter {
  return { conditions: ['id = {id:String}'], params: { id: requireString('id', id), ...params } };
}

/** The latest row of the id, as getById picks it. */
const LATEST = 'ORDER BY created_at DESC LIMIT 1';

export async function readCallDetail(scope: OrganizationScope, id: string): Promise<CallDetail | null> {
  const [row] = await scope.select(
    [
      llmTraceSelectList(false),
      'toString(toUnixTimestamp64Nano(created_at)) AS createdAtNs',
      'llm_config_json AS llmConfigJson',
      'toString(length(request_json)) AS requestStoredBytes',
      'toString(length(response_json)) AS responseStoredBytes',
      `${capped('request')} AS requestCapped`,
      `${capped('response')} AS responseCapped`,
      "JSONType(response_json, 'messages') = 'Array' AS responseAssembled",
    ].join(', '),
    byId(id, MARKER_PARAMS),
    LATEST,
  );
  if (!row) return null;
  return {
    ...toLlmTrace(row),
    createdAtNs: row.createdAtNs as string,
    llmConfigJson: row.llmConfigJson as string,
    requestStoredBytes: Number(row.requestStoredBytes),
    responseStoredBytes: Number(row.responseStoredBytes),
    requestCapped: Boolean(row.requestCapped),
    responseCapped: Boolean(row.responseCapped),
    responseAssembled: Boolean(row.responseAssembled),
  } as CallDetail;
}

/** The payload's first `maxBytes` bytes (cut on a character boundary), or null when there is no such call. */
export async function readPayload(
  scope: OrganizationScope,
  id: string,
  part: PayloadPart,
  options: { maxBytes?: number } = {},
): Promise<Payload | null> {
  const checkedPart = oneOf('part', part, PAYLOAD_PARTS);
  const maxBytes = integerInRange('maxBytes', options.maxBytes, DEFAULT_PAYLOAD_BYTES, 1, MAX_PAYLOAD_BYTES);
  const { text, size } = PAYLOAD_COLUMNS[checkedPart];
  const [row] = await scope.select(
    [
      `toString(${size}) AS sizeBytes`,
      `toString(length(${text})) AS storedBytes`,
      `${capped(checkedPart)} AS capped`,
      // One byte more than asked tells a cut from an exact fit.
      `substring(${text}, 1, {maxBytes:UInt64} + 1) AS head`,
    ].join(', '),
    byId(id, { ...MARKER_PARAMS, maxBytes }),
    LATEST,
  );
  if (!row) return null;
  const head = Buffer.from(row.head as string, 'utf8');
  const storedBytes = Number(row.storedBytes);
  const truncated = storedBytes > maxBytes;
  return {
    part: checkedPart,
    sizeBytes: Number(row.sizeBytes),
    storedBytes,
    truncated,
    capped: Boolean(row.capped),
    json: truncated ? cutAtCharacter(head, maxBytes) : (row.head as string),
  };
}

/** The longest prefix of at most `maxBytes` bytes that ends on a whole UTF-8 character. */
function cutAtCharacter(bytes: Buffer, maxBytes: number): string {
  let end = Math.min(maxBytes, bytes.length);
  // Back up over continuation bytes (10xxxxxx) to the start of the character that does not fit.
  if (end < bytes.length) while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}
