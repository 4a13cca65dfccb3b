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
import { authenticate } from './auth.js';
import { EmbeddedEngine, type EngineResult } from './embedded-engine.js';
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

export interface ClickHouseHttpServer {
  /** Base URL for `@clickhouse/client`'s `url` and `OTEL_EXPORTER_CLICKHOUSE_ENDPOINT`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
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
  const engine = await EmbeddedEngine.open(resolved.path);
  const handler = new RequestHandler(engine, resolved, resolved.api?.(engine.connection), resolved.viewer?.(engine.connection));
  // @clickhouse/client sends query parameters in the URL; a ClickHouse server accepts 1 MiB of it.
  const server = createServer({ maxHeaderSize: 1024 * 1024 }, (request, response) => handler.serve(request, response));
  try {
    await listen(server, resolved.host, resolved.port);
  } catch (error) {
    await engine.close();
    throw new Error(`llm-traces serve: cannot listen on ${resolved.host}:${resolved.port}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const { port } = server.address() as AddressInfo;
  const host = resolved.host.includes(':') ? `[${resolved.host}]` : resolved.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    host: resolved.host,
    port,
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

class RequestHandler {
  private readonly inFlight = new Set<Promise<void>>();
  private admitted = 0;
  private closing = false;

  constructor(
    private readonly engine: EmbeddedEngine,
    private readonly options: ResolvedServerOptions,
    private readonly api: ApiHandler | undefined,
    private readonly viewer: ViewerHandlers | undefined,
  ) {}

  serve(request: IncomingMessage, response: ServerResponse): void {
    // Errors are answered inside handle(); one that escapes means even that failed, so drop the socket.
    const handling = this.handle(request, response).catch(() => {
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
    // Kept-alive sockets would otherwise bring new requests for as long as the client likes.
    if (this.closing) response.setHeader('Connection', 'close');
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (this.viewer && url.pathname.startsWith(VIEWER_API_PREFIX)) {
      await this.serveViewerApi(this.viewer, request, response, url);
      return;
    }
    if (this.viewer && isViewerRequest(request.method, url, request.headers.accept)) {
      await this.viewer.files(request, response, url);
      return;
    }
    if (isHealthCheck(request.method, url)) {
      send(response, 200, { 'Content-Type': 'text/plain; charset=UTF-8' }, 'Ok.\n');
      return;
    }
    if (this.api && url.pathname.startsWith('/api/')) {
      await this.serveApi(this.api, request, response, url);
      return;
    }
    if (url.pathname !== '/') {
      request.resume();
      send(response, 404, { 'Content-Type': 'text/plain; charset=UTF-8' }, `There is no handle ${url.pathname}\n\nUse / or /ping.\n`);
      return;
    }
    const compression: Compression = {
      encoding: responseEncoding(url.searchParams, request.headers['accept-encoding']),
      level: compressionLevel(url.searchParams),
    };
    const queryId = requestQueryId(url.searchParams, request.headers);
    try {
      authenticate(request.headers, url.searchParams, this.options.credentials);
      const result = await this.admit(() => this.run(request, url.searchParams));
      await this.sendResult(response, result, queryId, compression);
    } catch (error) {
      await this.sendException(request, response, error, queryId, compression);
    }
  }

  private async serveApi(api: ApiHandler, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    request.resume();
    const json = { 'Content-Type': 'application/json; charset=UTF-8' };
    try {
      authenticate(request.headers, url.searchParams, this.options.credentials);
      const answer = await this.admit(() => api(request.method ?? 'GET', url, request.headers));
      send(response, answer.status, json, JSON.stringify(answer.body));
    } catch (error) {
      const exception = exceptionResponse(error, this.engine.version);
      const message = error instanceof ClickHouseServerError ? exception.body.trim() : 'internal error; see the server log';
      if (!(error instanceof ClickHouseServerError)) console.error('llm-traces serve: API request failed:', error);
      send(response, exception.status, json, JSON.stringify({ error: message }));
    }
  }

  private async serveViewerApi(viewer: ViewerHandlers, request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    try {
      authenticate(request.headers, url.searchParams, this.options.credentials);
      await this.admit(() => viewer.api(request, response, url));
    } catch (error) {
      // Refused before the handler answered (authentication, admission); a handler that failed midway is cut short.
      if (response.headersSent) {
        response.destroy();
        return;
      }
      request.resume();
      const exception = exceptionResponse(error, this.engine.version);
      send(
        response,
        exception.status,
        { 'Content-Type': 'application/json; charset=UTF-8' },
        JSON.stringify({ error: exception.body.trim() }),
      );
    }
  }

  private async admit<T>(work: () => Promise<T>): Promise<T> {
    if (this.closing) throw new ClickHouseServerError('ABORTED', 'The server is shutting down');
    if (this.admitted >= this.options.maxConcurrentQueries) {
      throw new ClickHouseServerError(
        'TOO_MANY_SIMULTANEOUS_QUERIES',
        `Too many simultaneous queries. Maximum: ${this.options.maxConcurrentQueries}`,
      );
    }
    this.admitted += 1;
    try {
      return await work();
    } finally {
      this.admitted -= 1;
    }
  }

  private async run(request: IncomingMessage, urlParams: URLSearchParams): Promise<EngineResult> {
    const body = await readRequestBody(request, this.options.maxBodyBytes);
    const contentTypeHeader = request.headers['content-type'];
    if (contentTypeHeader !== undefined && isMultipart(contentTypeHeader)) {
      const params = new URLSearchParams([...urlParams, ...multipartFields(body, contentTypeHeader)]);
      return this.engine.execute(parseQueryRequest(request.method ?? 'POST', params, request.headers), Buffer.alloc(0));
    }
    return this.engine.execute(parseQueryRequest(request.method ?? 'POST', urlParams, request.headers), body);
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

/** `/ping`, and `/` without a query, answer `Ok.` as ClickHouse does. */
function isHealthCheck(method: string | undefined, url: URL): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return url.pathname === '/ping' || (url.pathname === '/' && !url.searchParams.has('query'));
}
