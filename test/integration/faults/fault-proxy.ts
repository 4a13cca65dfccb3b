/**
 * A fault-injecting HTTP proxy on 127.0.0.1 in front of `llm-traces serve`: it forwards requests,
 * or answers them itself with an error, or holds the response back, as a test's policy says for
 * each request. It records every request (INSERTs with their table and row count, read from the
 * decompressed JSONEachRow body) and what the client got, so a test can account for every row:
 * in particular an insert the server stored whose response the client gave up on (a retry of it
 * stores the rows twice).
 */
import {
  createServer,
  request as httpRequest,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

export type Fault =
  | { kind: 'pass' }
  /** Forward, then send the server's answer `ms` later (if the client still waits). */
  | { kind: 'delay'; ms: number }
  /** Answer with this status and body without forwarding (a load balancer's or proxy's error). */
  | { kind: 'status'; status: number; body: string; headers?: Record<string, string> }
  /** Read the request and never answer (an unresponsive server). */
  | { kind: 'hang' }
  /** Hold the request until `open` resolves, then forward it unless the client went away (a server that has not read it yet). */
  | { kind: 'gate'; open: Promise<void> };

export interface ProxiedRequest {
  /** The `INSERT ...` statement of an insert; undefined for queries and DDL. */
  insert: string | undefined;
  /** Table of an insert (`otel_traces`, `llm_traces`). */
  table: string | undefined;
  /** JSONEachRow rows in an insert's body. */
  rows: number;
  /** Bytes of an insert's body, decompressed. */
  bytes: number;
  fault: Fault['kind'];
  /** Status the server answered (undefined when not forwarded or it did not answer). */
  upstreamStatus: number | undefined;
  /** Status sent to the client (undefined when the client went away first, or never). */
  clientStatus: number | undefined;
  /** The client closed the connection before it got an answer. */
  abandoned: boolean;
}

/** Decides the fault for a request; `index` counts inserts (0-based) or is undefined for other requests. */
export type FaultPolicy = (request: { insert: boolean; index: number | undefined }) => Fault;

const PASS: Fault = { kind: 'pass' };

export class FaultProxy {
  readonly requests: ProxiedRequest[] = [];
  policy: FaultPolicy = () => PASS;
  private inserts = 0;

  private constructor(
    private readonly server: Server,
    private readonly target: URL,
  ) {}

  static async start(target: string): Promise<FaultProxy> {
    const server = createServer();
    const proxy = new FaultProxy(server, new URL(target));
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      proxy.handle(request, response).catch(() => response.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    return proxy;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Rows per table of the inserts the server answered 200 (stored), whether or not the client got the answer. */
  rowsStored(requests: readonly ProxiedRequest[] = this.requests): Record<string, number> {
    const rows: Record<string, number> = {};
    for (const r of requests) {
      if (r.insert !== undefined && r.upstreamStatus === 200) rows[r.table!] = (rows[r.table!] ?? 0) + r.rows;
    }
    return rows;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readAll(request);
    const insert = insertStatement(request.url);
    const text = insert === undefined ? Buffer.alloc(0) : decompressed(body, request.headers);
    const record: ProxiedRequest = {
      insert,
      table: insert === undefined ? undefined : insertTable(insert),
      rows: countRows(text),
      bytes: text.length,
      fault: 'pass',
      upstreamStatus: undefined,
      clientStatus: undefined,
      abandoned: false,
    };
    this.requests.push(record);
    let answered = false;
    response.once('close', () => {
      if (!answered) record.abandoned = true;
    });
    const fault = this.policy({ insert: insert !== undefined, index: insert === undefined ? undefined : this.inserts++ });
    record.fault = fault.kind;
    if (fault.kind === 'hang') return;
    if (fault.kind === 'status') {
      answered = true;
      record.clientStatus = fault.status;
      response.writeHead(fault.status, {
        'Content-Type': 'text/plain; charset=UTF-8',
        ...fault.headers,
        'Content-Length': Buffer.byteLength(fault.body),
      });
      response.end(fault.body);
      return;
    }
    if (fault.kind === 'gate') {
      await fault.open;
      if (record.abandoned) return;
    }
    const upstream = await this.forward(request, body);
    record.upstreamStatus = upstream.status;
    if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (response.destroyed) return;
    answered = true;
    record.clientStatus = upstream.status;
    response.writeHead(upstream.status, upstream.headers);
    response.end(upstream.body);
  }

  private forward(request: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    const target = new URL(request.url ?? '/', this.target);
    return new Promise((resolve, reject) => {
      const outgoing = httpRequest(target, { method: request.method, headers: { ...request.headers, host: target.host } }, (answer) => {
        readAll(answer).then(
          (answerBody) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: answerBody }),
          reject,
        );
      });
      outgoing.once('error', reject);
      outgoing.end(body);
    });
  }
}

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.once('end', () => resolve(Buffer.concat(chunks)));
    stream.once('error', reject);
  });
}

/** @clickhouse/client sends an insert's statement in the `query` URL parameter and its rows as the body. */
function insertStatement(url: string | undefined): string | undefined {
  const query = new URL(url ?? '/', 'http://proxy').searchParams.get('query') ?? '';
  return /^\s*INSERT\b/i.test(query) ? query : undefined;
}

/** `otel_traces` of `INSERT INTO \`otel\`.\`otel_traces\` FORMAT ...` (identifiers quoted or not). */
function insertTable(statement: string): string | undefined {
  return /INSERT INTO\s+(?:[`"]?\w+[`"]?\.)?[`"]?(\w+)/i.exec(statement)?.[1];
}

function decompressed(body: Buffer, headers: IncomingHttpHeaders): Buffer {
  return headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

function countRows(text: Buffer): number {
  let rows = 0;
  for (const byte of text) if (byte === 0x0a) rows++;
  return rows;
}
