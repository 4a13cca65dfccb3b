/**
 * `llm-traces serve`'s core: one process owns the embedded store and serves the part of ClickHouse's
 * HTTP interface that `@clickhouse/client` uses, so other processes export with
 * `OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=http://127.0.0.1:8123`. This file is the thin HTTP edge;
 * parsing, auth, SQL building and error formatting live in the modules it calls.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, deflate, gzip } from 'node:zlib';
import type { ChdbConnection } from 'chdb/connection';
import { Admission } from './admission.js';
import { UserTable } from './auth.js';
import { EmbeddedEngine, type EngineResult } from './embedded-engine.js';
import { ErrorCode } from './error-codes.js';
import { organizationOf } from './json-api.js';
import { contentType } from './engine-sql.js';
import { isMultipart, multipartFields } from './multipart.js';
import {
  compressionLevel,
  parseQueryRequest,
  queryId as requestQueryId,
  responseEncoding,
  type ResponseEncoding,
} from './query-request.js';
import { readRequestBody } from './request-body.js';
import { RequestGate, type GateAdmission } from './request-gate.js';
import { ClickHouseServerError, exceptionResponse } from './server-error.js';
import {
  resolveServerOptions,
  type ApiHandler,
  type ClickHouseHttpServerOptions,
  type ResolvedServerOptions,
  type ViewerHandlers,
  VIEWER_API_PREFIX,
} from './server-options.js';
import { isViewerRequest } from './static-files.js';
import type { Principal } from './statement-guard.js';

export interface ClickHouseHttpServer {
  /** Base URL for `@clickhouse/client`'s `url` and `OTEL_EXPORTER_CLICKHOUSE_ENDPOINT`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Whether requests need credentials (a password or a users file is configured). */
  readonly passwordRequired: boolean;
  /** The address to open in a browser: with a password required, it carries the session token. */
  readonly browserUrl: string;
  /**
   * The server's long-lived chDB connection to the store. A process can open only one data
   * directory, so in-process readers share it: `createClient({ connection: server.connection })`.
   * The server owns it: call `server.close()`, not that client's `close()`.
   */
  readonly connection: ChdbConnection;
  /** Stops accepting requests, lets those in flight finish, then closes the store. */
  close(): Promise<void>;
}

export async function startClickHouseHttpServer(options: ClickHouseHttpServerOptions): Promise<ClickHouseHttpServer> {
  const resolved = resolveServerOptions(options);
  const engine = await EmbeddedEngine.open(resolved.path, {
    allowWrites: resolved.allowWrites,
    tenantTables: resolved.tenantTables,
    limits: resolved.limits,
  });
  const server = createServer({
    // @clickhouse/client sends query parameters in the URL; a ClickHouse server accepts 1 MiB of it.
    maxHeaderSize: 1024 * 1024,
    headersTimeout: resolved.headersTimeoutMs,
    requestTimeout: resolved.requestTimeoutMs,
    // Node checks the two time-outs above this often (default 30 s, longer than either).
    connectionsCheckingInterval: 1000,
  });
  // Sockets are few on a laptop; an open-and-idle flood must not exhaust file descriptors.
  server.maxConnections = 1024;
  try {
    await listen(server, resolved.host, resolved.port);
  } catch (error) {
    await engine.close();
    throw new Error(`llm-traces serve: cannot listen on ${resolved.host}:${resolved.port}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const { port } = server.address() as AddressInfo;
  const gate = new RequestGate({
    users: new UserTable(resolved.users),
    listenHost: resolved.host,
    port,
    extraHosts: resolved.allowedHosts,
    extraOrigins: resolved.allowedOrigins,
    owner: resolved.owner,
  });
  const handler = new RequestHandler(engine, resolved, gate, resolved.api?.(engine.connection), resolved.viewer?.(engine.connection));
  // Attached before the event loop can accept a connection (listen resolved in this same turn).
  server.on('request', (request, response) => handler.serve(request, response));
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  const url = `http://${host}:${port}`;
  let closing: Promise<void> | undefined;
  return {
    url,
    host: resolved.host,
    port,
    passwordRequired: gate.passwordRequired,
    browserUrl: gate.loginUrl(url),
    connection: engine.connection,
    close: () => (closing ??= shutDown(server, handler, engine)),
  };
}

async function shutDown(server: Server, handler: RequestHandler, engine: EmbeddedEngine): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  await handler.drain();
  server.closeAllConnections();
  await closed;
  await engine.close();
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const [gzipAsync, deflateAsync, brotliAsync] = [promisify(gzip), promisify(deflate), promisify(brotliCompress)];
const compressors: Record<ResponseEncoding, (body: Uint8Array, level: number) => Promise<Buffer>> = {
  gzip: (body, level) => gzipAsync(body, { level }),
  deflate: (body, level) => deflateAsync(body, { level }),
  // Brotli's default quality (11) is far too slow for responses; 4 is what @clickhouse/client uses for requests.
  br: (body) => brotliAsync(body, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } }),
};

/** On every answer: no other origin may embed, frame or sniff it, and the token URL is never sent on as a Referer. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
};

const TEXT = { 'Content-Type': 'text/plain; charset=UTF-8' };
const JSON_TYPE = { 'Content-Type': 'application/json; charset=UTF-8', 'Cache-Control': 'no-store' };

/** Where a request goes once the gate has let it through; decides how a refusal is written. */
type Destination = 'clickhouse' | 'api' | 'page';

class RequestHandler {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly admission: Admission;
  private closing = false;

  constructor(
    private readonly engine: EmbeddedEngine,
    private readonly options: ResolvedServerOptions,
    private readonly gate: RequestGate,
    private readonly api: ApiHandler | undefined,
    private readonly viewer: ViewerHandlers | undefined,
  ) {
    this.admission = new Admission(options.maxConcurrentQueries, options.maxBufferedBodyBytes);
  }

  serve(request: IncomingMessage, response: ServerResponse): void {
    // Errors are answered inside handle(); one that escapes means even that failed, so drop the socket.
    const handling = this.admission
      .inTurn(request.socket, () => this.handle(request, response))
      .catch(() => {
        response.destroy();
      });
    this.inFlight.add(handling);
    void handling.finally(() => this.inFlight.delete(handling));
  }

  /** Refuses new requests and waits for the admitted ones to be answered. */
  async drain(): Promise<void> {
    this.closing = true;
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.setHeader(name, value);
    // Kept-alive sockets would otherwise bring new requests for as long as the client likes.
    if (this.closing) response.setHeader('Connection', 'close');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    const destination: Destination =
      url.pathname === '/' && isStatement(method, url) ? 'clickhouse' : url.pathname.startsWith('/api/') ? 'api' : 'page';
    try {
      this.gate.checkOrigin(request.headers, destination === 'page' && (method === 'GET' || method === 'HEAD'));
      if (method === 'OPTIONS') {
        request.resume();
        send(
          response,
          405,
          { ...TEXT, Allow: 'GET, HEAD, POST' },
          'OPTIONS is not answered: this server sends no CORS headers and serves its own pages only.\n',
        );
        return;
      }
      const login = this.gate.login(method, url);
      if (login !== undefined) {
        request.resume();
        send(response, 303, { ...TEXT, Location: login.location, 'Set-Cookie': login.cookie }, 'Signed in.\n');
        return;
      }
      if (isHealthCheck(method, url) && !(this.viewer && isViewerRequest(method, url, request.headers.accept))) {
        request.resume();
        send(response, 200, TEXT, 'Ok.\n');
        return;
      }
    } catch (error) {
      await this.refuse(request, response, error, destination);
      return;
    }
    // The viewer's page and assets hold no data (the API does): a browser without a session gets
    // the page, which tells it how to sign in, instead of a password prompt.
    if (this.viewer !== undefined && isViewerRequest(method, url, request.headers.accept)) {
      request.resume();
      await this.viewer.files(request, response, url);
      return;
    }
    let admission: GateAdmission;
    try {
      admission = this.gate.authenticate(method, request.headers, url.searchParams);
    } catch (error) {
      await this.refuse(request, response, error, destination);
      return;
    }
    if (destination === 'clickhouse') await this.serveQuery(request, response, url, admission.principal);
    else await this.serveRoute(request, response, url, admission.principal, destination);
  }

  private async serveQuery(request: IncomingMessage, response: ServerResponse, url: URL, principal: Principal): Promise<void> {
    const compression: Compression = {
      encoding: responseEncoding(url.searchParams, request.headers['accept-encoding']),
      level: compressionLevel(url.searchParams),
    };
    const queryId = requestQueryId(url.searchParams, request.headers);
    const gone = new AbortController();
    response.once('close', () => {
      if (!response.writableFinished) gone.abort();
    });
    const share = this.admission.bodyShare();
    try {
      if (this.closing) throw new ClickHouseServerError('ABORTED', 'The server is shutting down');
      // The body is read before a slot is taken: a slow upload holds its socket, never a slot.
      const body = await readRequestBody(request, this.options.maxBodyBytes, share);
      const result = await this.admission.inSlot(() => this.run(request, url.searchParams, body, principal, gone.signal));
      await this.sendResult(response, result, queryId, compression);
    } catch (error) {
      await this.sendException(request, response, error, queryId, compression);
    } finally {
      share.release();
    }
  }

  private async serveRoute(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    principal: Principal,
    destination: Destination,
  ): Promise<void> {
    try {
      if (destination === 'api') {
        // The session route tells a bound credential which organizations it may read, whichever it named.
        if (url.pathname !== `${VIEWER_API_PREFIX}session`) checkOrganization(principal, organizationOf(request.headers, url.searchParams));
        if (this.closing) throw new ClickHouseServerError('ABORTED', 'The server is shutting down');
      }
      const handled = await (destination === 'api'
        ? this.admission.inSlot(() => this.route(request, response, url, principal))
        : this.route(request, response, url, principal));
      if (!handled) {
        request.resume();
        send(
          response,
          404,
          destination === 'api' ? JSON_TYPE : TEXT,
          destination === 'api'
            ? JSON.stringify({ error: `no API route ${url.pathname.slice(0, 200)}` })
            : `There is no handle ${url.pathname.slice(0, 200)}\n\nUse / or /ping.\n`,
        );
      }
    } catch (error) {
      if (response.headersSent) {
        console.error('llm-traces serve: request failed after its answer began:', error);
        response.destroy();
        return;
      }
      await this.refuse(request, response, error, destination);
    }
  }

  /** The viewer's API, then the JSON API. */
  private async route(request: IncomingMessage, response: ServerResponse, url: URL, principal: Principal): Promise<boolean> {
    if (this.viewer !== undefined && url.pathname.startsWith(VIEWER_API_PREFIX)) {
      await this.viewer.api(request, response, url, principal.organizations);
      return true;
    }
    if (this.api !== undefined && url.pathname.startsWith('/api/')) {
      request.resume();
      const answer = await this.api(request.method ?? 'GET', url, request.headers);
      send(response, answer.status, JSON_TYPE, JSON.stringify(answer.body));
      return true;
    }
    return false;
  }

  /** A refusal in the form the destination speaks: ClickHouse's exception text, JSON, or a page's 401 asking for credentials. */
  private async refuse(request: IncomingMessage, response: ServerResponse, error: unknown, destination: Destination): Promise<void> {
    if (destination === 'clickhouse') {
      await this.sendException(request, response, error, requestQueryId(new URLSearchParams(), request.headers), {
        encoding: undefined,
        level: 3,
      });
      return;
    }
    const exception = exceptionResponse(error, this.engine.version);
    if (!(error instanceof ClickHouseServerError)) console.error('llm-traces serve: request failed:', error);
    const message = error instanceof ClickHouseServerError ? exception.body.trim() : 'internal error; see the server log';
    const headers: Record<string, string> = { 'X-ClickHouse-Exception-Code': String(exception.code) };
    if (!request.complete) headers.Connection = 'close';
    request.resume();
    if (destination === 'api') {
      send(response, exception.status, { ...JSON_TYPE, ...headers }, JSON.stringify({ error: message }));
    } else if (exception.code === ErrorCode.AUTHENTICATION_FAILED) {
      // A browser asks for a user and password; the token address printed at start-up signs in without one.
      const page =
        'This llm-traces server needs credentials: open the address it printed when it started (with ?token=), or sign in with a user and password.\n';
      send(response, 401, { ...TEXT, ...headers, 'WWW-Authenticate': 'Basic realm="llm-traces", charset="UTF-8"' }, page);
    } else {
      send(response, exception.status, { ...TEXT, ...headers }, `${message}\n`);
    }
  }

  private async run(
    request: IncomingMessage,
    urlParams: URLSearchParams,
    body: Buffer,
    principal: Principal,
    signal: AbortSignal,
  ): Promise<EngineResult> {
    const contentTypeHeader = request.headers['content-type'];
    const context = { principal, signal };
    if (contentTypeHeader !== undefined && isMultipart(contentTypeHeader)) {
      const params = new URLSearchParams([...urlParams, ...multipartFields(body, contentTypeHeader)]);
      return this.engine.execute(parseQueryRequest(request.method ?? 'POST', params, request.headers), Buffer.alloc(0), context);
    }
    return this.engine.execute(parseQueryRequest(request.method ?? 'POST', urlParams, request.headers), body, context);
  }

  private async sendResult(response: ServerResponse, result: EngineResult, queryId: string, compression: Compression): Promise<void> {
    const headers: Record<string, string> = {
      'Content-Type': contentType(result.format),
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Format': result.format,
      'X-ClickHouse-Timezone': this.engine.timezone,
      'X-ClickHouse-Summary': JSON.stringify(result.summary),
    };
    await sendCompressed(response, 200, headers, result.body, compression);
  }

  private async sendException(
    request: IncomingMessage,
    response: ServerResponse,
    error: unknown,
    queryId: string,
    compression: Compression,
  ): Promise<void> {
    const exception = exceptionResponse(error, this.engine.version);
    const headers: Record<string, string> = {
      'Content-Type': 'text/plain; charset=UTF-8',
      'X-ClickHouse-Query-Id': queryId,
      'X-ClickHouse-Exception-Code': String(exception.code),
    };
    // A body left unread (refused before or while reading it) cannot be skipped on a kept-alive socket.
    if (!request.complete) headers.Connection = 'close';
    await sendCompressed(response, exception.status, headers, Buffer.from(exception.body), compression);
  }
}

/** An organization-bound credential reads only its organizations through the JSON API. */
function checkOrganization(principal: Principal, organizationId: string): void {
  const allowed = principal.organizations;
  if (allowed === undefined || allowed.includes(organizationId)) return;
  const named = organizationId === '' ? 'the default organization' : `the organization '${organizationId.slice(0, 100)}'`;
  throw new ClickHouseServerError(
    'ACCESS_DENIED',
    `${principal.user} may read ${allowed.length ? `the organizations ${allowed.join(', ')}` : 'no organization'}, not ${named}; name one with the X-Organization-Id header`,
  );
}

/** `/` runs a statement when one is given: POST, or GET with a `query` parameter. */
function isStatement(method: string, url: URL): boolean {
  return method === 'POST' || url.searchParams.has('query');
}

interface Compression {
  encoding: ResponseEncoding | undefined;
  level: number;
}

async function sendCompressed(
  response: ServerResponse,
  status: number,
  headers: Record<string, string>,
  body: Uint8Array,
  { encoding, level }: Compression,
): Promise<void> {
  if (encoding === undefined) {
    send(response, status, headers, body);
  } else {
    send(response, status, { ...headers, 'Content-Encoding': encoding }, await compressors[encoding](body, level));
  }
}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: Uint8Array | string): void {
  response.writeHead(status, { ...headers, 'Content-Length': String(Buffer.byteLength(body)) });
  response.end(body);
}

/** `/ping`, and `/` without a query (unless a browser asks for the viewer there), answer `Ok.` as ClickHouse does, to anyone. */
function isHealthCheck(method: string, url: URL): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return url.pathname === '/ping' || (url.pathname === '/' && !url.searchParams.has('query'));
}
