/**
 * A real browser (headless Chromium) on a page of another origin tries what a malicious site would
 * against a `serve` without credentials: simple no-cors POSTs and a text/plain form carrying
 * INSERTs, an image GET, and a CORS read of the viewer's API. The server must refuse every one of
 * them, so the store gains no row and the page reads nothing; the server's own viewer page, same
 * origin, still reads the API.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../../support/browser.js';
import { startServe, type ServeProcess } from '../../support/serve-process.js';
import { openTestStore, type TestStore } from '../../support/store.js';

let store: TestStore;
let serve: ServeProcess;
let evil: Server;
let evilOrigin: string;
let browser: Browser;

const insert = (marker: string) => `INSERT INTO otel.llm_traces (trace_id, organization_id) VALUES ('${marker}', '')`;

/** The attacking page: every attempt's outcome as the page itself can see it. */
function evilPage(target: string): string {
  return `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="form" method="POST" action="${target}/" enctype="text/plain" target="sink">
  <input name="${insert('evil-form').replaceAll('"', '&quot;')} --" value="">
</form>
<script>
const target = ${JSON.stringify(target)};
window.outcomes = {};
async function attempt(name, work) {
  try { window.outcomes[name] = await work(); } catch (error) { window.outcomes[name] = 'failed: ' + error.name; }
}
(async () => {
  await attempt('no-cors POST', async () => (await fetch(target + '/', { method: 'POST', mode: 'no-cors', body: ${JSON.stringify(insert('evil-post'))} })).type);
  await attempt('no-cors POST with the query in the URL', async () =>
    (await fetch(target + '/?query=' + encodeURIComponent(${JSON.stringify(insert('evil-url'))}), { method: 'POST', mode: 'no-cors' })).type);
  await attempt('CORS read of the API', async () => (await fetch(target + '/api/v1/calls')).status);
  await attempt('CORS read of a query', async () => (await fetch(target + '/?query=SELECT%201')).status);
  await attempt('image GET', () => new Promise((resolve) => {
    const image = new Image();
    image.onload = () => resolve('loaded');
    image.onerror = () => resolve('error');
    image.src = target + '/?query=' + encodeURIComponent('SELECT 1');
  }));
  document.getElementById('form').submit();
  await new Promise((resolve) => setTimeout(resolve, 500));
  window.done = true;
})();
</script></body></html>`;
}

beforeAll(async () => {
  // serve creates the store's tables when it starts.
  store = await openTestStore();
  await store.release();
  serve = await startServe(['--path', store.path]);
  evil = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(evilPage(serve.url));
  });
  await new Promise<void>((resolve) => evil.listen(0, '127.0.0.1', resolve));
  evilOrigin = `http://127.0.0.1:${(evil.address() as AddressInfo).port}`;
  browser = await launchBrowser();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => evil?.close(resolve));
  expect(await serve?.stop()).toBe(0);
  await store?.close();
});

async function storedMarkers(): Promise<unknown> {
  const response = await fetch(
    `${serve.url}/?query=${encodeURIComponent("SELECT trace_id FROM otel.llm_traces WHERE startsWith(trace_id, 'evil') FORMAT JSONEachRow")}`,
  );
  return (await response.text()).trim().split('\n').filter(Boolean);
}

describe('a page of another origin in a real browser', () => {
  it('can neither write to the store nor read from it', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const sent: string[] = [];
    const statuses: number[] = [];
    page.on('request', (request) => {
      if (request.url().startsWith(serve.url)) sent.push(request.method());
    });
    page.on('response', (response) => {
      if (response.url().startsWith(serve.url)) statuses.push(response.status());
    });
    await page.goto(`${evilOrigin}/`);
    await page.waitForFunction(() => (globalThis as unknown as { done?: boolean }).done === true, undefined, { timeout: 20_000 });
    const outcomes = await page.evaluate(() => (globalThis as unknown as { outcomes: Record<string, unknown> }).outcomes);
    await context.close();
    // A no-cors request would get an opaque answer, but Cross-Origin-Resource-Policy: same-origin
    // withholds even that; a CORS read fails without the server's consent.
    expect(outcomes).toEqual({
      'no-cors POST': 'failed: TypeError',
      'no-cors POST with the query in the URL': 'failed: TypeError',
      'CORS read of the API': 'failed: TypeError',
      'CORS read of a query': 'failed: TypeError',
      'image GET': 'error',
    });
    // The browser sent all six (three of them POSTs); those whose answer it saw were refused.
    expect(sent.sort()).toEqual(['GET', 'GET', 'GET', 'POST', 'POST', 'POST']);
    expect(statuses.length).toBeGreaterThan(0);
    expect(new Set(statuses)).toEqual(new Set([403]));
    expect(await storedMarkers()).toEqual([]);
  });

  it('the same statements from a local process without a browser are stored (the probe can see a write)', async () => {
    const response = await fetch(`${serve.url}/`, { method: 'POST', body: insert('evil-control') });
    expect(response.status).toBe(200);
    expect(await storedMarkers()).toEqual(['{"trace_id":"evil-control"}']);
  });

  it('the viewer page of the server itself reads its API', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${serve.url}/`);
    const status = await page.evaluate(async () => (await fetch('/api/v1/session')).status);
    await context.close();
    expect(status).toBe(200);
  });
});
