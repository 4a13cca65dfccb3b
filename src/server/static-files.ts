/**
 * Serves the viewer bundle (`dist/viewer/`, written by the viewer's vite build): hashed files
 * under /assets/ cached forever, index.html revalidated every time, precompressed `.br`/`.gz`
 * siblings chosen by Accept-Encoding, a strict Content-Security-Policy, and index.html for the
 * viewer's page paths (it routes in the browser). Paths are decoded once and must stay inside the
 * root after symlinks are resolved; dot files and anything ambiguous are refused.
 */
import { createReadStream, existsSync, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, extname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preferredCoding, type ContentCoding } from './content-encoding.js';

export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
};

/**
 * Scripts, styles, images and requests from this origin only: no inline script, no eval, no
 * framing, no plugins, no <base> rewrites. Styles set from script (CSSOM) are not inline styles.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export const IMMUTABLE = 'public, max-age=31536000, immutable';
const HASHED_PREFIX = '/assets/';
const PRECOMPRESSED: Record<ContentCoding, string> = { br: '.br', gzip: '.gz' };

/** `dist/viewer` of this package, from the built server (`dist/server/`) or the sources (`src/server/`). */
export function defaultViewerRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, '..', 'viewer'), join(here, '..', '..', 'dist', 'viewer')];
  return candidates.find((dir) => existsSync(join(dir, 'index.html'))) ?? candidates[0]!;
}

/**
 * True for requests the viewer's files answer: GET or HEAD outside /api/ and /ping, and `/` only
 * when a browser navigates to it (Accept: text/html, no `query`), since `GET /` is also
 * ClickHouse's health check and query endpoint.
 */
export function isViewerRequest(method: string | undefined, url: URL, accept: string | undefined): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  if (url.pathname === '/ping' || url.pathname === '/api' || url.pathname.startsWith('/api/')) return false;
  if (url.pathname !== '/') return true;
  return !url.searchParams.has('query') && acceptsHtml(accept);
}

function acceptsHtml(accept: string | undefined): boolean {
  return (accept ?? '').toLowerCase().includes('text/html');
}

export type StaticFileHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;

export function createStaticFiles(root: string = defaultViewerRoot()): StaticFileHandler {
  let realRoot: Promise<string | undefined> | undefined;
  const resolvedRoot = () => (realRoot ??= realpath(root).catch(() => undefined));

  return async (request, response, url) => {
    request.resume();
    const relative = safeRelativePath(url.pathname);
    if (relative === undefined) {
      sendText(response, 400, 'Bad path.\n');
      return;
    }
    const base = await resolvedRoot();
    if (base === undefined || !existsSync(join(base, 'index.html'))) {
      // Checked per request only while missing: a build may write it while the server runs.
      realRoot = undefined;
      sendText(response, 404, `The viewer is not built: ${join(root, 'index.html')} is missing. Run \`npm run build\`.\n`);
      return;
    }
    const file = relative === '' ? 'index.html' : relative;
    const served = await inside(base, file);
    if (served) {
      await sendFile(request, response, served.path, served.stats, file);
      return;
    }
    // A page path of the single-page app (not an asset, not a file type we serve): the page routes
    // it. Ids in page paths may hold dots, so only known file extensions count as files.
    if (!url.pathname.startsWith(HASHED_PREFIX) && !(extname(url.pathname).toLowerCase() in CONTENT_TYPES)) {
      const index = await inside(base, 'index.html');
      if (index) {
        await sendFile(request, response, index.path, index.stats, 'index.html');
        return;
      }
    }
    sendText(response, 404, 'Not found.\n');
  };
}

/**
 * The path below the root ('' for the root itself), or undefined for anything that could step
 * out of it or is not a plain file name: `..` and `.` segments, dot files, backslashes, NUL,
 * empty segments, and percent-encoding that does not decode (or hides a `/`).
 */
export function safeRelativePath(pathname: string): string | undefined {
  if (!pathname.startsWith('/')) return undefined;
  const segments = pathname.slice(1).split('/');
  if (segments.length === 1 && segments[0] === '') return '';
  const decoded: string[] = [];
  for (const segment of segments) {
    let name: string;
    try {
      name = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
    if (name === '' || name.startsWith('.') || /[/\\\0:]/.test(name)) return undefined;
    decoded.push(name);
  }
  return decoded.join('/');
}

/** The regular file at `relative` under `base` after resolving symlinks, or undefined when it is elsewhere or absent. */
async function inside(base: string, relative: string): Promise<{ path: string; stats: Stats } | undefined> {
  try {
    const path = await realpath(join(base, relative));
    if (!path.startsWith(base + sep)) return undefined;
    const stats = await stat(path);
    return stats.isFile() ? { path, stats } : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(request: IncomingMessage, response: ServerResponse, path: string, stats: Stats, relative: string): Promise<void> {
  const hashed = `/${relative}`.startsWith(HASHED_PREFIX);
  let body = { path, stats };
  let coding: ContentCoding | undefined;
  for (const candidate of (['br', 'gzip'] as const).filter((c) => preferredCoding(request.headers['accept-encoding'], [c]) === c)) {
    const compressed = await inside(dirname(path), `${relative.split('/').pop()}${PRECOMPRESSED[candidate]}`);
    if (compressed) {
      body = compressed;
      coding = candidate;
      break;
    }
  }
  const etag = `"${body.stats.size.toString(16)}-${Math.floor(body.stats.mtimeMs).toString(16)}${coding ? `-${coding}` : ''}"`;
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'Content-Type': CONTENT_TYPES[extname(relative).toLowerCase()] ?? 'application/octet-stream',
    'Cache-Control': hashed ? IMMUTABLE : 'no-cache',
    Vary: 'Accept-Encoding',
    ETag: etag,
    ...(coding ? { 'Content-Encoding': coding } : {}),
  };
  if (request.headers['if-none-match'] === etag) {
    response.writeHead(304, headers);
    response.end();
    return;
  }
  response.writeHead(200, { ...headers, 'Content-Length': String(body.stats.size) });
  if (request.method === 'HEAD') {
    response.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const stream = createReadStream(body.path);
    stream.once('error', () => {
      response.destroy();
      resolve();
    });
    response.once('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(response);
  });
}

function sendText(response: ServerResponse, status: number, text: string): void {
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  response.end(text);
}
