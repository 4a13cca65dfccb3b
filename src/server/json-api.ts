/**
 * The JSON API of `llm-traces serve` over the reader. Every route is scoped to one organization
 * (`X-Organization-Id` header or `organization_id` parameter; the default organization '' when
 * absent). Parameters are checked strictly: a bad or unknown one gets 400 naming it, an unknown id
 * gets 404. Pure routing and parsing; the readers do the I/O.
 */
import { parseDateText } from '../reader/date-text.js';
import { LlmTraceReader, OtelTraceReader, ReaderArgumentError, USAGE_GROUP_BY, type UsageGroupBy } from '../reader/index.js';

export interface ApiTables {
  database: string;
  tracesTable: string;
  llmTable: string;
}

export interface ApiResponse {
  status: number;
  body: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

type Params = URLSearchParams;

interface Route {
  pattern: RegExp;
  /** Query parameters the route accepts (organization_id is always accepted). */
  params: readonly string[];
  handle(readers: Readers, match: string[], params: Params): Promise<unknown>;
}

interface Readers {
  llm: LlmTraceReader;
  otel: OtelTraceReader;
}

const LIST_PARAMS = ['start', 'end', 'limit', 'offset'] as const;

const ROUTES: Route[] = [
  {
    pattern: /^\/api\/llm-traces$/,
    params: ['agent_id', 'call_type', 'is_error', 'run_id', ...LIST_PARAMS],
    handle: ({ llm }, _m, p) =>
      llm.list({
        agentId: p.get('agent_id') ?? undefined,
        callType: p.get('call_type') ?? undefined,
        isError: bool(p, 'is_error'),
        runId: p.get('run_id') ?? undefined,
        ...listOptions(p),
      }),
  },
  {
    pattern: /^\/api\/llm-traces\/([^/]+)$/,
    params: [],
    handle: async ({ llm }, [id]) => found(await llm.getById(id!), `no LLM call with id '${id}'`),
  },
  {
    pattern: /^\/api\/steps\/([^/]+)\/llm-trace$/,
    params: [],
    handle: async ({ llm }, [stepId]) => found(await llm.getByStepId(stepId!), `no LLM call for step '${stepId}'`),
  },
  {
    pattern: /^\/api\/usage$/,
    params: ['group_by', 'start', 'end'],
    handle: ({ llm }, _m, p) => {
      const groupBy = p.get('group_by') ?? 'model';
      if (!(USAGE_GROUP_BY as readonly string[]).includes(groupBy)) {
        throw new ApiError(400, `group_by must be one of ${USAGE_GROUP_BY.join(', ')} (got '${groupBy}')`);
      }
      return llm.getUsageStats({ groupBy: groupBy as UsageGroupBy, start: date(p, 'start'), end: date(p, 'end') });
    },
  },
  {
    pattern: /^\/api\/large-requests$/,
    params: ['min_size_bytes', ...LIST_PARAMS],
    handle: ({ llm }, _m, p) => llm.findLargeRequests({ minSizeBytes: integer(p, 'min_size_bytes'), ...listOptions(p) }),
  },
  {
    pattern: /^\/api\/traces\/([^/]+)$/,
    params: ['limit', 'ui_spans_only'],
    handle: async ({ otel }, [traceId], p) => {
      const spans = await otel.getTraceSpans(traceId!, { limit: integer(p, 'limit'), uiSpansOnly: bool(p, 'ui_spans_only') });
      if (spans.length === 0) throw new ApiError(404, `no spans for trace '${traceId}'`);
      return { traceId, spans };
    },
  },
  {
    pattern: /^\/api\/runs\/([^/]+)\/trace$/,
    params: ['limit'],
    handle: async ({ otel }, [runId], p) =>
      found(await otel.getRunTrace(runId!, { limit: integer(p, 'limit'), uiSpansOnly: true }), `no run '${runId}'`),
  },
];

function found<T>(value: T | null, message: string): T {
  if (value === null) throw new ApiError(404, message);
  return value;
}

function listOptions(p: Params): { start?: Date; end?: Date; limit?: number; offset?: number } {
  return { start: date(p, 'start'), end: date(p, 'end'), limit: integer(p, 'limit'), offset: integer(p, 'offset') };
}

function date(p: Params, name: string): Date | undefined {
  const value = p.get(name);
  if (value === null) return undefined;
  const parsed = parseDateText(value);
  if (!parsed) throw new ApiError(400, `${name} must be an ISO 8601 date or epoch milliseconds (got '${value.slice(0, 80)}')`);
  return parsed;
}

function integer(p: Params, name: string): number | undefined {
  const value = p.get(name);
  if (value === null) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new ApiError(400, `${name} must be a whole number (got '${value.slice(0, 80)}')`);
  return Number(value);
}

function bool(p: Params, name: string): boolean | undefined {
  const value = p.get(name);
  if (value === null) return undefined;
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ApiError(400, `${name} must be true or false (got '${value.slice(0, 80)}')`);
}

export function organizationOf(headers: Record<string, string | string[] | undefined>, params: Params): string {
  const header = headers['x-organization-id'];
  const fromHeader = Array.isArray(header) ? header[0] : header;
  return fromHeader ?? params.get('organization_id') ?? '';
}

/** Answers one API request with the readers of the request's organization. */
export async function handleApiRequest(
  readersFor: (organizationId: string) => Readers,
  method: string,
  url: URL,
  headers: Record<string, string | string[] | undefined>,
): Promise<ApiResponse> {
  try {
    if (method !== 'GET') throw new ApiError(405, `${method} is not allowed; the API is read-only (GET)`);
    const path = url.pathname;
    if (path === '/api/') return { status: 200, body: routeIndex() };
    const route = ROUTES.find((r) => r.pattern.test(path));
    if (!route) throw new ApiError(404, `no API route ${path.slice(0, 200)}`);
    for (const name of new Set(url.searchParams.keys())) {
      if (name !== 'organization_id' && !route.params.includes(name)) {
        throw new ApiError(400, `unknown parameter '${name}'${route.params.length ? `; this route takes ${route.params.join(', ')}` : ''}`);
      }
      if (url.searchParams.getAll(name).length > 1) throw new ApiError(400, `parameter '${name}' given more than once`);
    }
    // Ids are matched encoded (an id may hold '/') and decoded afterwards.
    const match = route.pattern.exec(path)!.slice(1).map(safeDecode);
    const body = await route.handle(readersFor(organizationOf(headers, url.searchParams)), match, url.searchParams);
    return { status: 200, body };
  } catch (error) {
    if (error instanceof ApiError) return { status: error.status, body: { error: error.message } };
    if (error instanceof ReaderArgumentError) return { status: 400, body: { error: error.message, parameter: error.argument } };
    throw error;
  }
}

/** What `GET /api/` answers: every route with the parameters it takes, read off the route table. */
function routeIndex(): unknown {
  return {
    routes: ROUTES.map((route) => ({
      path: `GET ${route.pattern.source
        .replace(/^\^|\$$/g, '')
        .replaceAll('\\/', '/')
        .replaceAll('([^/]+)', ':id')}`,
      params: [...route.params, 'organization_id'],
    })),
    scope: 'X-Organization-Id header or organization_id parameter; the default organization when absent',
    viewer_api: "/api/v1/ (the web viewer's routes, typed in src/server/viewer-api/types.ts)",
  };
}

function safeDecode(pathname: string): string {
  try {
    return decodeURIComponent(pathname);
  } catch {
    throw new ApiError(400, 'the path is not valid percent-encoding');
  }
}
