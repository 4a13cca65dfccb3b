/**
 * The viewer bundle served by the real server: content types, caching, precompressed variants,
 * security headers, the SPA fallback, `/` for browsers only, and no way out of the bundle
 * directory (raw request paths, so no client normalizes them first).
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPricer } from '../../../src/pricing/pricer.js';
import { startClickHouseHttpServer, type ClickHouseHttpServer } from '../../../src/server/index.js';
import { CONTENT_SECURITY_POLICY, IMMUTABLE, isViewerRequest, safeRelativePath } from '../../../src/server/static-files.js';
import { createViewer } from '../../../src/server/viewer.js';

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/app-3f2a1b.js"></script></head><body></body></html>';
const SCRIPT = `export const viewer = ${JSON.stringify('x'.repeat(2000))};\n`;
const SECRET = 'the contents of a file outside the bundle';

let dir: string;
let server: ClickHouseHttpServer;

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request with the path exactly as given (fetch and URL would resolve `..` first). */
function raw(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawAnswer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path, method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const HTML = { accept: 'text/html,application/xhtml+xml' };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'llm-traces-static-'));
  const root = join(dir, 'viewer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), INDEX);
  writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(root, 'assets', 'app-3f2a1b.js'), SCRIPT);
  writeFileSync(join(root, 'assets', 'app-3f2a1b.js.br'), brotliCompressSync(SCRIPT));
  writeFileSync(join(root, 'assets', 'app-3f2a1b.js.gz'), gzipSync(SCRIPT));
  writeFileSync(join(root, 'assets', 'style-9c8d7e.css'), 'body{margin:0}');
  writeFileSync(join(root, '.env'), SECRET);
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  symlinkSync(join(dir, 'secret.txt'), join(root, 'assets', 'linked.js'));
  server = await startClickHouseHttpServer({
    path: join(dir, 'store'),
    port: 0,
    viewer: (connection) =>
      createViewer(connection, {
        tables: { database: 'otel', tracesTable: 'otel_traces', llmTable: 'llm_traces' },
        pricer: createPricer(),
        auth: false,
        version: 'test',
        root,
      }),
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the viewer at /', () => {
  it('serves index.html to a browser, revalidated each time, with the security headers', async () => {
    const answer = await raw('/', HTML);
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe(INDEX);
    expect(answer.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-cache',
      'content-security-policy': CONTENT_SECURITY_POLICY,
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
    });
    expect(CONTENT_SECURITY_POLICY).toContain("default-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY).toContain("frame-ancestors 'none'");
  });

  it("keeps ClickHouse's health check and query endpoint at / for everything else", async () => {
    expect((await raw('/')).body.toString()).toBe('Ok.\n');
    const query = await raw('/?query=SELECT%201', HTML);
    expect(query.body.toString()).toBe('1\n');
    expect((await raw('/ping', HTML)).body.toString()).toBe('Ok.\n');
  });

  it('answers a page path of the app with index.html, and a missing file with 404', async () => {
    for (const page of ['/calls', '/calls/b000000000c40003', '/traces/7000/spans/a.b', '/usage?group_by=model']) {
      const answer = await raw(page, HTML);
      expect(answer.status, page).toBe(200);
      expect(answer.body.toString(), page).toBe(INDEX);
    }
    expect((await raw('/assets/app-000000.js')).status).toBe(404);
    expect((await raw('/missing.css')).status).toBe(404);
  });

  it('answers HEAD and If-None-Match without a body', async () => {
    const head = await raw('/favicon.svg', {}, 'HEAD');
    expect(head).toMatchObject({ status: 200, headers: { 'content-type': 'image/svg+xml' } });
    expect(head.body.length).toBe(0);
    const again = await raw('/favicon.svg', { 'if-none-match': head.headers.etag as string });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });
});

describe('hashed assets', () => {
  it('are cached forever, typed, and sent precompressed as the client prefers', async () => {
    const br = await raw('/assets/app-3f2a1b.js', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': IMMUTABLE,
      'content-encoding': 'br',
      vary: 'Accept-Encoding',
    });
    expect(br.body).toEqual(brotliCompressSync(SCRIPT));
    const gz = await raw('/assets/app-3f2a1b.js', { 'accept-encoding': 'gzip;q=1, br;q=0' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body).toEqual(gzipSync(SCRIPT));
    const plain = await raw('/assets/app-3f2a1b.js', { 'accept-encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(SCRIPT);
    expect(plain.headers['content-length']).toBe(String(Buffer.byteLength(SCRIPT)));
    const css = await raw('/assets/style-9c8d7e.css', { 'accept-encoding': 'br' });
    expect(css.headers).toMatchObject({ 'content-type': 'text/css; charset=utf-8', 'cache-control': IMMUTABLE });
    expect(css.headers['content-encoding']).toBeUndefined();
  });
});

describe('no way out of the bundle', () => {
  const attempts = [
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/assets/..%2F..%2Fsecret.txt',
    '/..%5csecret.txt',
    '/assets/%5c..%5c..%5csecret.txt',
    '/assets/%00.js',
    '/assets/%zz.js',
    '//secret.txt',
    'ABSOLUTE',
    '/.env',
    '/%2eenv',
    '/assets/linked.js',
  ];

  it.each(attempts)('%s never reaches a file outside the bundle', async (path) => {
    // ABSOLUTE: the secret's absolute path, percent-encoded into one segment.
    const answer = await raw(path === 'ABSOLUTE' ? `/${encodeURIComponent(join(dir, 'secret.txt'))}` : path, HTML);
    expect(answer.body.toString()).not.toContain(SECRET);
    expect([400, 404, 200]).toContain(answer.status);
    // Whatever is answered is the app's page, an error, or nothing.
    if (answer.status === 200) expect(answer.body.toString()).toBe(INDEX);
  });

  it('rejects the path forms that could step out before touching the disk', () => {
    expect(safeRelativePath('/')).toBe('');
    expect(safeRelativePath('/assets/app.js')).toBe('assets/app.js');
    expect(safeRelativePath('/assets/a%20b.js')).toBe('assets/a b.js');
    for (const bad of ['/../x', '/a/../x', '/%2e%2e/x', '/a%2fb', '/a%5cb', '/.env', '/a//b', '/%00', '/%e0%a4%a', '/c:x', 'x']) {
      expect(safeRelativePath(bad), bad).toBeUndefined();
    }
  });

  it('serves files only for GET and HEAD outside /api and /ping', () => {
    const url = (path: string) => new URL(path, 'http://localhost');
    expect(isViewerRequest('GET', url('/calls'), undefined)).toBe(true);
    expect(isViewerRequest('POST', url('/calls'), 'text/html')).toBe(false);
    expect(isViewerRequest('GET', url('/api/v1/calls'), 'text/html')).toBe(false);
    expect(isViewerRequest('GET', url('/'), '*/*')).toBe(false);
    expect(isViewerRequest('GET', url('/?query=1'), 'text/html')).toBe(false);
    expect(isViewerRequest('GET', url('/'), 'text/html')).toBe(true);
  });
});
