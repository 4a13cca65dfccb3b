/**
 * The viewer's JSON API under /api/v1/: routing, strict parameters, organization scoping (the
 * same rule as the /api routes), JSON answers compressed when the client accepts it, and streamed
 * exports. The caller (the HTTP server) authenticates and admits the request first.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { CatalogPricer } from '../../pricing/pricer.js';
import { ReaderArgumentError } from '../../reader/errors.js';
import { preferredCoding } from '../content-encoding.js';
import { organizationOf } from '../json-api.js';
import { ClickHouseServerError } from '../server-error.js';
import { ParameterError, QueryParams, parameterOfArgument } from './query-params.js';
import { NotFoundError, ROUTES, UnsupportedMediaTypeError, type Readers, type RouteAnswer } from './routes.js';
import type { ApiErrorBody } from './types.js';

export type { Readers } from './routes.js';

export interface ViewerApiOptions {
  /** The readers of one organization. */
  readersFor(organizationId: string): Readers;
  /** Prices at read time: the entry behind each cost, cache savings, the base of a what-if. */
  pricer: CatalogPricer;
  /** The server requires credentials (shown to the page). */
  auth: boolean;
  version: string;
  /** Calls read per query by an export; default 5000. */
  exportPageSize?: number;
}

/** `organizations`: what the request's credential may read (undefined: any); the server has checked the organization named against it. */
export type ViewerApiHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
  organizations?: readonly string[],
) => Promise<void>;

/** Responses smaller than this go uncompressed: the saving would not pay for the work. */
const COMPRESS_FROM_BYTES = 1024;
const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

const COMMON_HEADERS = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function createViewerApi(options: ViewerApiOptions): ViewerApiHandler {
  return async (request, response, url, organizations) => {
    let answer: RouteAnswer;
    let readers: Readers;
    try {
      const method = request.method ?? 'GET';
      const candidates = ROUTES.filter((route) => route.pattern.test(url.pathname));
      if (candidates.length === 0) throw new NotFoundError(`no API route ${url.pathname.slice(0, 200)}`);
      const route = candidates.find((candidate) => candidate.method === method);
      if (!route) {
        const allowed = candidates.map((candidate) => candidate.method).join(', ');
        request.resume();
        sendJson(request, response, 405, { error: `${method} is not allowed here; use ${allowed}` }, { Allow: allowed });
        return;
      }
      if (route.method === 'GET') request.resume();
      const params = new QueryParams(url.searchParams, route.params);
      const match = route.pattern.exec(url.pathname)!.slice(1).map(decodePathPart);
      const organizationId = organizationOf(request.headers, url.searchParams);
      readers = options.readersFor(organizationId);
      answer = await route.handle({ ...options, readers, organizationId, organizations, params, match, request });
    } catch (error) {
      await sendError(request, response, error);
      return;
    }
    if ('json' in answer) {
      await sendJson(request, response, 200, answer.json, answer.headers);
      return;
    }
    response.writeHead(200, { ...COMMON_HEADERS, ...answer.headers });
    try {
      await answer.stream(response, readers);
      response.end();
    } catch (error) {
      // The status is sent: all that is left is to cut the body short, so the download visibly fails.
      console.error('llm-traces serve: export failed midway:', error);
      response.destroy();
    }
  };
}

async function sendError(request: IncomingMessage, response: ServerResponse, error: unknown): Promise<void> {
  request.resume();
  const [status, body] = errorAnswer(error);
  if (status === 500) console.error('llm-traces serve: viewer API request failed:', error);
  await sendJson(request, response, status, body, request.complete ? {} : { Connection: 'close' });
}

function errorAnswer(error: unknown): [number, ApiErrorBody] {
  if (error instanceof ParameterError) return [400, { error: error.message, parameter: error.parameter }];
  if (error instanceof ReaderArgumentError) {
    const parameter = parameterOfArgument(error.argument);
    return [400, { error: error.message.replace(error.argument, parameter), parameter }];
  }
  if (error instanceof NotFoundError) return [404, { error: error.message }];
  if (error instanceof UnsupportedMediaTypeError) return [415, { error: error.message }];
  if (error instanceof ClickHouseServerError && error.type === 'QUERY_IS_TOO_LARGE') return [413, { error: error.message }];
  if (error instanceof ClickHouseServerError && error.type === 'CANNOT_DECOMPRESS')
    return [400, { error: error.message, parameter: 'body' }];
  return [500, { error: 'internal error; see the server log' }];
}

async function sendJson(
  request: IncomingMessage,
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<void> {
  const text = Buffer.from(JSON.stringify(body), 'utf8');
  const coding = text.length >= COMPRESS_FROM_BYTES ? preferredCoding(request.headers['accept-encoding'], ['br', 'gzip']) : undefined;
  const payload =
    coding === 'br'
      ? await brotliAsync(text, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } })
      : coding === 'gzip'
        ? await gzipAsync(text)
        : text;
  response.writeHead(status, {
    ...COMMON_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(payload.length),
    Vary: 'Accept-Encoding',
    ...(coding ? { 'Content-Encoding': coding } : {}),
    ...headers,
  });
  response.end(payload);
}

/** Ids are matched encoded (an id may hold '/') and decoded afterwards. */
function decodePathPart(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ParameterError('path', 'the path is not valid percent-encoding');
  }
}
