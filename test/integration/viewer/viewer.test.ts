/**
 * The viewer end to end: headless Chromium against a real `llm-traces serve` (child process,
 * 127.0.0.1, random port) over a store the real exporter filled (test/support/viewer-store.ts).
 * Numbers on the pages are checked against the reader and SQL over the same store; each page is
 * saved as a screenshot under .screenshots/.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LlmTraceReader } from '../../../src/reader/index.js';
import { MODEL_KEY } from '../../../src/reader/model-key.js';
import { launchBrowser, openViewer, type ViewerPage } from '../../support/browser.js';
import { startServe, type ServeProcess } from '../../support/serve-process.js';
import {
  BIG_REQUEST_BYTES,
  IDS,
  LONG_RUN_STEPS,
  RUNS,
  SERVICES,
  UNPRICED_MODEL,
  WIDE_TRACE_SPANS,
  exportLiveCall,
  fillViewerStore,
  type ViewerStore,
} from '../../support/viewer-store.js';

const HOUR = 3_600_000;

/** Exact sum of decimal USD strings, as text with 9 decimals (independent of the viewer's own helper). */
function exactSum(values: Array<string | null>): string {
  const nanos = values
    .filter((v): v is string => v !== null)
    .reduce((sum, v) => {
      const [whole, fraction = ''] = v.split('.');
      return sum + BigInt(whole!) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9));
    }, 0n);
  return `${nanos / 1_000_000_000n}.${String(nanos % 1_000_000_000n).padStart(9, '0')}`;
}
/** "$0.0123" as the viewer titles exact costs: trailing zeros dropped. */
const exactTitle = (decimal: string) => `$${decimal.replace(/0+$/, '').replace(/\.$/, '')}`;

describe('viewer in Chromium against llm-traces serve', () => {
  const path = mkdtempSync(join(tmpdir(), 'llm-traces-viewer-'));
  let serve: ServeProcess;
  let store: ViewerStore;
  let browser: Browser;
  let view: ViewerPage;
  let page: Page;
  let client: ClickHouseClient;
  let reader: LlmTraceReader;
  let base: string;

  const sql = async <T>(query: string): Promise<T[]> => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  /** A fresh load of the address, as a pasted link: no state of the previous view survives. */
  const open = async (hash: string, ready: string) => {
    await page.goto('about:blank');
    await page.goto(`${base}/${hash}`);
    await page.waitForSelector(ready);
  };
  const texts = (selector: string) => page.locator(selector).allTextContents();
  /** Span names and LLM marks of the waterfall that do not fit their box (drawn with an ellipsis). */
  const cutTexts = () =>
    page
      .locator('.wf-row .span-name, .wf-row .llm-mark')
      .evaluateAll((es) => es.filter((e) => e.scrollWidth > e.clientWidth).map((e) => e.textContent));
  const rowKeys = () =>
    page.locator('table[aria-label="calls"] tbody tr[data-row-key]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row-key')));

  beforeAll(async () => {
    serve = await startServe(['--path', path]);
    base = serve.url;
    store = await fillViewerStore(serve.url);
    client = createClient({ url: serve.url });
    reader = new LlmTraceReader({ client, organizationId: '' });
    browser = await launchBrowser();
    view = await openViewer(browser);
    page = view.page;
  }, 120_000);

  // Every page works under the server's CSP: no console error, page error or failed request.
  afterEach(() => {
    expect(view.errors.splice(0)).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await client?.close();
    await serve?.stop();
    rmSync(path, { recursive: true, force: true });
  });

  it('serves the bundle with a strict CSP, and the Calls page shows every call of the last 24 h newest first', async () => {
    const response = await page.goto(`${base}/#/calls`);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    await page.waitForSelector('table[aria-label="calls"] tbody tr[data-row-key]');
    const expected = await sql<{ id: string }>(
      `SELECT id FROM otel.llm_traces WHERE created_at >= now64() - INTERVAL 1 DAY ORDER BY created_at DESC, id DESC`,
    );
    expect(await rowKeys()).toEqual(expected.map((r) => r.id));
    const [totals] = await sql<{ calls: string; errors: string; prompt: string; cost: string }>(
      `SELECT count() AS calls, countIf(is_error) AS errors, sum(prompt_tokens) AS prompt, toString(sum(cost_usd)) AS cost FROM otel.llm_traces WHERE created_at >= now64() - INTERVAL 1 DAY`,
    );
    expect(await page.locator('[data-tile="Calls"]').textContent()).toBe(Number(totals!.calls).toLocaleString('en-US'));
    expect(await page.locator('[data-tile="Errors"]').textContent()).toBe(totals!.errors);
    expect(await page.locator('[data-tile="Prompt tokens"]').textContent()).toBe(Number(totals!.prompt).toLocaleString('en-US'));
    expect(await page.locator('[data-tile="Cost"] span').getAttribute('title')).toBe(exactTitle(totals!.cost));
    // The unpriced model's call is flagged, never shown as $0.
    const unpriced = page.locator(`tr[data-row-key="${IDS.unpriced}"]`);
    expect(await unpriced.locator('.unpriced').textContent()).toBe('unpriced');
    await view.screenshot('calls');
  });

  it("asks for a page's data once, before the page's own code, the Calls page's totals and facets after its rows", async () => {
    const asked: string[] = [];
    const record = (request: { url(): string }) => {
      const url = new URL(request.url());
      if (url.pathname.startsWith('/api/') || /\/assets\/(usage|trace)-/.test(url.pathname)) asked.push(url.pathname);
    };
    page.on('request', record);
    try {
      await open('#/usage?range=30d', '[data-chart="cache"] canvas');
      const usage = asked.filter((p) => p === '/api/v1/usage');
      expect(usage).toHaveLength(1);
      expect(asked.indexOf('/api/v1/usage')).toBeLessThan(asked.findIndex((p) => p.startsWith('/assets/usage-')));
      asked.length = 0;
      await open(`#/traces/${store.traceId}`, '.wf-row');
      expect(asked.filter((p) => p.startsWith('/api/v1/traces/'))).toEqual([`/api/v1/traces/${store.traceId}`]);
      expect(asked.indexOf(`/api/v1/traces/${store.traceId}`)).toBeLessThan(asked.findIndex((p) => p.startsWith('/assets/trace-')));
      asked.length = 0;
      await open('#/calls', 'table[aria-label="calls"] tbody tr[data-row-key]');
      await expect.poll(() => asked.includes('/api/v1/calls/totals') && asked.includes('/api/v1/calls/facets')).toBe(true);
      expect(asked.filter((p) => p === '/api/v1/calls')).toHaveLength(1);
      expect(asked.indexOf('/api/v1/calls')).toBeLessThan(asked.indexOf('/api/v1/calls/totals'));
      expect(asked.indexOf('/api/v1/calls')).toBeLessThan(asked.indexOf('/api/v1/calls/facets'));
    } finally {
      page.off('request', record);
    }
  });

  it('filters by facet, errors only, minimum cost and full-text search, with facet counts and the state in the URL', async () => {
    await page.goto('about:blank');
    await page.goto(`${base}/#/calls`);
    await page.waitForSelector('select[data-facet="model"] option:nth-child(2)', { state: 'attached' });
    const options = await texts('select[data-facet="model"] option');
    // The model facet names a model as a user does (reader/model-key.ts): the dated snapshot under its alias.
    const [chatCount] = await sql<{ n: string; models: string[] }>(
      `SELECT count() AS n, groupUniqArray(model) AS models FROM otel.llm_traces WHERE ${MODEL_KEY} = 'gpt-4.1-mini' AND created_at >= now64() - INTERVAL 1 DAY`,
    );
    expect(options).toContain(`gpt-4.1-mini · ${chatCount!.n}`);
    expect(options.some((option) => option.startsWith('gpt-4.1-mini-2025-01-01'))).toBe(false);
    await page.selectOption('select[data-facet="model"]', 'gpt-4.1-mini');
    await page.waitForFunction(() => location.hash.includes('model=gpt-4.1-mini'));
    await page.waitForFunction(
      (n) => document.querySelectorAll('table[aria-label="calls"] tbody tr[data-row-key]').length === n,
      Number(chatCount!.n),
    );
    expect(new Set(await texts('table[aria-label="calls"] tbody tr[data-row-key] td:nth-child(7)'))).toEqual(new Set(chatCount!.models));

    await open('#/calls?errors=1', 'table[aria-label="calls"] tbody tr[data-row-key]');
    const errorIds = await sql<{ id: string }>(
      `SELECT id FROM otel.llm_traces WHERE is_error AND created_at >= now64() - INTERVAL 1 DAY ORDER BY created_at DESC, id DESC`,
    );
    await page.waitForFunction(
      (n) => document.querySelectorAll('table[aria-label="calls"] tbody tr[data-row-key]').length === n,
      errorIds.length,
    );
    expect(await rowKeys()).toEqual(errorIds.map((r) => r.id));
    expect(await page.locator('input[data-filter="errors"]').isChecked()).toBe(true);

    await open('#/calls?min_cost=0.002', 'table[aria-label="calls"] tbody tr[data-row-key]');
    const costly = await sql<{ id: string }>(
      `SELECT id FROM otel.llm_traces WHERE cost_usd >= 0.002 AND created_at >= now64() - INTERVAL 1 DAY ORDER BY created_at DESC, id DESC`,
    );
    await page.waitForFunction(
      (n) => document.querySelectorAll('table[aria-label="calls"] tbody tr[data-row-key]').length === n,
      costly.length,
    );
    expect(await rowKeys()).toEqual(costly.map((r) => r.id));

    await open('#/calls', 'input[data-search]');
    await page.fill('input[data-search]', 'read only replica');
    await page.press('input[data-search]', 'Enter');
    await page.waitForFunction(() => location.hash.includes('q=read+only+replica'));
    // The cache error is a span, not a payload: nothing matches.
    await page.waitForSelector('td.empty-row');
    await page.fill('input[data-search]', 'sunny');
    await page.press('input[data-search]', 'Enter');
    await page.waitForSelector('tr.below .snippet mark');
    expect((await texts('tr.below .snippet mark')).every((m) => m.toLowerCase() === 'sunny')).toBe(true);
    const matching = await sql<{ n: string }>(
      `SELECT count() AS n FROM otel.llm_traces WHERE (positionCaseInsensitive(request_json, 'sunny') > 0 OR positionCaseInsensitive(response_json, 'sunny') > 0) AND created_at >= now64() - INTERVAL 1 DAY`,
    );
    expect((await rowKeys()).length).toBe(Number(matching[0]!.n));
    await view.screenshot('calls-search');
  });

  it('sorts by cost and pages with the cursor', async () => {
    await open('#/calls?sort=cost', 'table[aria-label="calls"] tbody tr[data-row-key]');
    const byCost = await sql<{ id: string }>(
      `SELECT id FROM otel.llm_traces WHERE created_at >= now64() - INTERVAL 1 DAY AND cost_usd IS NOT NULL ORDER BY cost_usd DESC, created_at DESC LIMIT 3`,
    );
    expect((await rowKeys()).slice(0, 3)).toEqual(byCost.map((r) => r.id));
    expect(await page.locator('button[data-sort="cost"]').getAttribute('class')).toContain('active');

    await open('#/calls?limit=5', 'a[data-next-page]');
    const first = await rowKeys();
    expect(first).toHaveLength(5);
    await page.click('a[data-next-page]');
    await page.waitForFunction(() => location.hash.includes('cursor='));
    await page.waitForFunction((ids) => {
      const keys = [...document.querySelectorAll('table[aria-label="calls"] tbody tr[data-row-key]')].map((r) =>
        r.getAttribute('data-row-key'),
      );
      return keys.length === 5 && !keys.some((k) => ids.includes(k!));
    }, first);
    const all = await sql<{ id: string }>(
      `SELECT id FROM otel.llm_traces WHERE created_at >= now64() - INTERVAL 1 DAY ORDER BY created_at DESC, id DESC LIMIT 10`,
    );
    expect([...first, ...(await rowKeys())]).toEqual(all.map((r) => r.id));
  });

  it('deep links reopen the same view: a reloaded filtered URL shows the same filters and rows', async () => {
    await open('#/calls?agent_id=weather-bot&provider=anthropic&range=7d', 'table[aria-label="calls"] tbody tr[data-row-key]');
    const before = await rowKeys();
    await page.reload();
    await page.waitForSelector('table[aria-label="calls"] tbody tr[data-row-key]');
    expect(await rowKeys()).toEqual(before);
    expect(await page.locator('select[data-facet="agent_id"]').inputValue()).toBe('weather-bot');
    expect(await page.locator('select[data-facet="provider"]').inputValue()).toBe('anthropic');
    expect(await page.locator('button[data-range="7d"]').getAttribute('class')).toContain('on');
    expect(before).toEqual([IDS.anthropicToolResult, IDS.anthropicToolCall]);
  });

  it.each([
    [IDS.chatToolResult, 'openai.chat', ['system', 'user', 'assistant', 'tool']],
    [IDS.responsesToolResult, 'openai.responses', ['system', 'user', 'assistant', 'tool']],
    [IDS.anthropicToolResult, 'anthropic', ['system', 'user', 'assistant', 'user']],
  ])('call %s renders its %s request as a conversation with the tool call, its result and the answer', async (id, format, roles) => {
    await open(`#/calls/${id}`, '[data-conversation="request"]');
    expect(await page.locator('#payload-request .card-head').textContent()).toContain(format);
    expect(
      await page.locator('[data-conversation="request"] > .message').evaluateAll((ms) => ms.map((m) => m.getAttribute('data-role'))),
    ).toEqual(roles);
    expect(await page.locator('[data-conversation="request"] [data-tool-call="getWeather"] .args').textContent()).toBe(
      '{\n  "city": "Paris"\n}',
    );
    expect(await page.locator('[data-conversation="request"] [data-tool-result="getWeather"] .args').textContent()).toContain(
      '"forecast": "sunny"',
    );
    await page.waitForSelector('[data-conversation="response"]');
    expect(await page.locator('[data-conversation="response"] .text').textContent()).toBe('It is sunny in Paris.');
    expect(await page.locator('#payload-response .card-head .badge').textContent()).toBe('stop'); // as stored: the exporter normalizes finish reasons to the GenAI values
    if (format !== 'openai.responses') {
      // The image the user sent is a placeholder with its type and decoded size, never loaded.
      expect(await page.locator('[data-conversation="request"] [data-media="image/png"]').textContent()).toContain(
        'image · image/png · 70 B',
      );
    }
    if (id === IDS.chatToolResult) await view.screenshot('call');
  });

  it('shows the token and cost breakdown with the price entry, timing, context and links', async () => {
    await open(`#/calls/${IDS.anthropicToolCall}`, '.cost-table');
    const [row] = await sql<Record<string, string | null>>(
      `SELECT prompt_tokens, cached_input_tokens, cache_write_tokens, completion_tokens, toString(cost_usd) AS cost, toString(input_cost_usd) AS input, toString(cached_input_cost_usd) AS cached, toString(cache_write_cost_usd) AS write, toString(output_cost_usd) AS output, time_to_first_token_ms AS ttft FROM otel.llm_traces WHERE id = '${IDS.anthropicToolCall}'`,
    );
    const part = (name: string) => page.locator(`tr[data-cost-part="${name}"] td`).allTextContents();
    expect((await part('cache_read'))[1]).toBe(Number(row!.cached_input_tokens).toLocaleString('en-US'));
    expect((await part('cache_write'))[1]).toBe(Number(row!.cache_write_tokens).toLocaleString('en-US'));
    expect(Number((await part('input'))[1]!.replace(/,/g, ''))).toBe(
      Number(row!.prompt_tokens) - Number(row!.cached_input_tokens) - Number(row!.cache_write_tokens),
    );
    expect(await page.locator('[data-total="prompt"]').textContent()).toBe(Number(row!.prompt_tokens).toLocaleString('en-US'));
    expect(await page.locator('[data-total="cost"] span').getAttribute('title')).toBe(exactTitle(row!.cost!));
    expect(await page.locator('tr[data-cost-part="cache_write"] td:nth-child(4)').getAttribute('title')).toBe(exactTitle(row!.write!));
    expect(await page.locator('[data-price-entry]').textContent()).toMatch(/Priced by claude-sonnet-4-5/);
    expect(await page.locator('.detail-side').textContent()).toContain(`${row!.ttft} ms`);
    expect(await page.locator('.detail-side').textContent()).toContain('weather-bot');
    expect(await page.locator('a[data-link="run"]').getAttribute('href')).toBe(`#/runs/${RUNS.anthropic}`);
    await page.click('a[data-link="trace"]');
    await page.waitForSelector('[data-span-panel]');
    expect(await page.locator('.wf-row.selected').getAttribute('data-span-name')).toBe('chat claude-sonnet-4-5');
  });

  it('raw JSON of both payloads: folded, copied exactly as stored', async () => {
    await view.context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await open(`#/calls/${IDS.chatToolResult}`, '[data-conversation="request"]');
    await page.click('button[data-view-json="request"]');
    await page.waitForSelector('[data-json-view="request"] .json-line');
    expect(await page.locator('[data-json-view="request"] .json-line').first().textContent()).toContain('{');
    await page.locator('[data-json-view="request"] button:has-text("Copy JSON")').click();
    const [stored] = await sql<{ request_json: string }>(`SELECT request_json FROM otel.llm_traces WHERE id = '${IDS.chatToolResult}'`);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(stored!.request_json);
    await page.locator('[data-json-view="request"] button:has-text("Outline")').click();
    expect(await page.locator('[data-json-view="request"] .folded').count()).toBeGreaterThan(0);
  });

  it('opens a 1 MB request on demand without building a megabyte of DOM', async () => {
    await open(`#/calls/${IDS.bigRequest}`, 'button[data-load-payload="request"]');
    // Above the size gate the request is not fetched until asked for.
    expect(await page.locator('button[data-load-payload="request"]').textContent()).toMatch(/Load the request \(9\d\d KB\)/);
    await page.click('button[data-load-payload="request"]');
    await page.waitForSelector('[data-conversation="request"] .message[data-role="user"]');
    const user = page.locator('[data-conversation="request"] .message[data-role="user"] .text');
    expect(await user.evaluate((e) => e.textContent!.length)).toBeLessThan(5_000);
    expect(await user.locator('button.more').textContent()).toMatch(/show all [\d,]+ characters/);
    const textLength = await page.evaluate(() => document.body.innerText.length);
    expect(textLength).toBeLessThan(BIG_REQUEST_BYTES / 20);
    await page.click('button[data-view-json="request"]');
    await page.waitForSelector('[data-json-view="request"] .json-line');
    // Virtualized: a handful of lines exist; the long string line is cut with its length.
    expect(await page.locator('[data-json-view="request"] .json-line').count()).toBeLessThan(60);
    expect(await page.locator('[data-json-view="request"] button.more').first().textContent()).toMatch(/^\+[\d,]+ chars$/);
    await view.screenshot('call-1mb');
  });

  it('draws the multi-service trace as a waterfall: nesting, services, status, LLM spans marked; a span opens its attributes', async () => {
    await open(`#/traces/${store.traceId}`, '.wf-row');
    const rows = await page
      .locator('.wf-row')
      .evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-span-name'), Number(r.getAttribute('data-depth'))]));
    expect(rows).toEqual([
      ['POST /v1/chat', 0],
      ['agent.turn', 1],
      ['cache.lookup', 2],
      ['chat gpt-4o-mini', 2],
      ['tool getWeather', 2],
      ['GET /forecast', 3],
      ['SELECT forecasts', 4],
      ['chat gpt-4o-mini', 2],
    ]);
    expect(await texts('.legend-item')).toEqual([...SERVICES].sort().map((s) => ` ${s}`));
    expect(await page.locator('.wf-row.is-error').getAttribute('data-span-name')).toBe('cache.lookup');
    const calls = await sql<{ model: string; tokens: string }>(
      `SELECT model, prompt_tokens + completion_tokens AS tokens FROM otel.llm_traces WHERE trace_id = '${store.traceId}' ORDER BY created_at`,
    );
    expect(await texts('.llm-mark')).toEqual(
      calls.map((c) => expect.stringMatching(`^${c.model} · ${Number(c.tokens).toLocaleString('en-US')} tok · \\$0\\.000\\d+$`)),
    );
    // Names and LLM marks show whole, without hovering; the full name is also in the row's title.
    expect(await cutTexts()).toEqual([]);
    expect(await page.locator('.wf-row[data-span-name="chat gpt-4o-mini"] .wf-name').first().getAttribute('title')).toBe(
      'agent-worker · chat gpt-4o-mini · Client',
    );
    const [totals] = await sql<{ cost: string }>(
      `SELECT toString(sum(cost_usd)) AS cost FROM otel.llm_traces WHERE trace_id = '${store.traceId}'`,
    );
    expect(await page.locator('[data-tile="Cost"] span').getAttribute('title')).toBe(exactTitle(totals!.cost));
    await page.click('.wf-row[data-span-name="GET /forecast"]');
    await page.waitForSelector('[data-span-panel] table.kv');
    const panel = await page.locator('[data-span-panel]').textContent();
    expect(panel).toContain('http.route');
    expect(panel).toContain('/forecast');
    expect(panel).toContain('weather-service');
    expect(await page.evaluate(() => location.hash)).toMatch(/span=[0-9a-f]{16}/);
    expect(await cutTexts()).toEqual([]);
    await view.screenshot('trace');
    // The column's edge drags: 150 px narrower cuts the marks (title still whole); a double-click fits them again.
    const nameWidth = () => page.locator('.wf-head .wf-name').evaluate((e) => e.getBoundingClientRect().width);
    const before = await nameWidth();
    const edge = (await page.locator('[data-resize]').boundingBox())!;
    await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
    await page.mouse.down();
    await page.mouse.move(edge.x + edge.width / 2 - 150, edge.y + edge.height / 2, { steps: 5 });
    await page.mouse.up();
    expect(Math.round(await nameWidth())).toBe(Math.round(before - 150));
    expect(await cutTexts()).not.toEqual([]);
    await page.dblclick('[data-resize]');
    expect(await nameWidth()).toBe(before);
    expect(await cutTexts()).toEqual([]);
    // Collapsing the tool hides its two descendants.
    const tool = await page.locator('.wf-row[data-span-name="tool getWeather"]').getAttribute('data-span');
    await page.click(`button[data-toggle="${tool}"]`);
    expect(await page.locator('.wf-row').count()).toBe(6);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => !location.hash.includes('span='));
  });

  it(`virtualizes a trace of ${WIDE_TRACE_SPANS} spans and moves through it with j/k`, async () => {
    await open(`#/traces/${store.wideTraceId}`, '.wf-row');
    expect(await page.locator('[data-tile="Spans"]').textContent()).toBe(WIDE_TRACE_SPANS.toLocaleString('en-US'));
    expect(await page.locator('.wf-row').count()).toBeLessThan(80);
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.waitForSelector('.wf-row.selected[data-span-name="shard 0"]');
    await page.locator('.vlist').evaluate((e) => (e.scrollTop = e.scrollHeight));
    await page.waitForSelector('.wf-row[data-span-name="chat gpt-4o-mini"]');
    expect(await page.locator('.wf-row').count()).toBeLessThan(80);
    await view.screenshot('trace-wide');
  });

  it('shows a run: totals, context growth per step (cached against new), its traces and calls', async () => {
    await open(`#/runs/${RUNS.long}`, '[data-chart="context growth"] canvas');
    const rows = await sql<{ prompt_tokens: string; cached_input_tokens: string; cost: string }>(
      `SELECT prompt_tokens, cached_input_tokens, toString(cost_usd) AS cost FROM otel.llm_traces WHERE run_id = '${RUNS.long}' ORDER BY created_at`,
    );
    expect(rows).toHaveLength(LONG_RUN_STEPS);
    expect(await page.locator('[data-tile="Cost"] span').getAttribute('title')).toBe(exactTitle(exactSum(rows.map((r) => r.cost))));
    expect(await page.locator('[data-tile="Calls"]').textContent()).toBe(String(LONG_RUN_STEPS));
    await page.click('.chart-table summary');
    const table = await page
      .locator('.chart-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(table.map((r) => [r[3], r[4], r[5]])).toEqual(
      rows.map((r) =>
        [Number(r.prompt_tokens), Number(r.cached_input_tokens), Number(r.prompt_tokens) - Number(r.cached_input_tokens)].map((n) =>
          n.toLocaleString('en-US'),
        ),
      ),
    );
    expect(await page.locator('table[aria-label="run calls"] tbody tr[data-row-key]').count()).toBe(LONG_RUN_STEPS);
    await view.screenshot('run');
  });

  it('draws usage charts whose totals equal the reader, by model and by agent, with CSV under each', async () => {
    const end = Date.now();
    for (const groupBy of ['model', 'agent_id'] as const) {
      await open(`#/usage?range=24h&bucket=hour&group_by=${groupBy}`, '[data-chart="cost"] canvas');
      const stats = await reader.getUsageStats({ groupBy, start: new Date(end - 24 * HOUR - 60_000), end: new Date(end + 60_000) });
      const cost = exactSum(stats.map((s) => s.costUsd));
      expect(await page.locator('[data-chart-total="cost"] span').getAttribute('title')).toBe(exactTitle(cost));
      const tokens = stats.reduce((n, s) => n + s.promptTokens + s.completionTokens, 0);
      expect(await page.locator('[data-chart-total="tokens"]').textContent()).toBe(tokens.toLocaleString('en-US'));
      expect(await page.locator('[data-chart-total="calls"]').textContent()).toBe(String(stats.reduce((n, s) => n + s.requestCount, 0)));
      expect(await page.locator('[data-chart-total="errors"]').textContent()).toBe(String(stats.reduce((n, s) => n + s.errorCount, 0)));
      // One legend entry per group (plus the x series).
      expect(await page.locator('[data-chart="cost"] .u-legend .u-series').count()).toBe(stats.length + 1);
    }
    const download = page.waitForEvent('download');
    await page.click('button[data-csv="cost"]');
    const csv = readFileSync((await (await download).path())!, 'utf8')
      .trim()
      .split('\r\n');
    expect(csv[0]!.split(',')[0]).toBe('bucket');
    expect(csv.at(-1)!.split(',').at(-1)).toBe(
      await page
        .locator('[data-chart-total="cost"] span')
        .getAttribute('title')
        .then((t) => exactSum([t!.slice(1)])),
    );
    await view.screenshot('usage');
  });

  it('lists runs by cost and agents with their totals', async () => {
    await open('#/runs?range=24h', 'table[aria-label="runs"] tbody tr[data-row-key]');
    const runs = await sql<{ run_id: string }>(
      `SELECT run_id FROM otel.llm_traces WHERE run_id != '' AND created_at >= now64() - INTERVAL 1 DAY GROUP BY run_id ORDER BY sum(cost_usd) DESC`,
    );
    expect(
      (
        await page
          .locator('table[aria-label="runs"] tbody tr[data-row-key]')
          .evaluateAll((rs) => rs.map((r) => r.getAttribute('data-row-key')))
      ).slice(0, 3),
    ).toEqual(runs.slice(0, 3).map((r) => r.run_id));
    await view.screenshot('runs');
    await open('#/agents?range=24h', 'table[aria-label="agents"] tbody tr[data-row-key]');
    const agents = await sql<{ agent_id: string; calls: string }>(
      `SELECT agent_id, count() AS calls FROM otel.llm_traces WHERE created_at >= now64() - INTERVAL 1 DAY GROUP BY agent_id ORDER BY sum(cost_usd) DESC NULLS LAST, agent_id`,
    );
    const shown = await page
      .locator('table[aria-label="agents"] tbody tr[data-row-key]')
      .evaluateAll((rs) => rs.map((r) => [r.getAttribute('data-row-key'), r.querySelectorAll('td')[2]!.textContent] as const));
    expect(new Map(shown)).toEqual(new Map(agents.map((a) => [a.agent_id, a.calls])));
    expect(shown[0]![0]).toBe(agents[0]!.agent_id);
    await view.screenshot('agents');
  });

  it('compares two calls (deltas and a diff of the prompts), two traces (spans aligned by name path) and two runs (steps by order)', async () => {
    await open(`#/compare?kind=call&a=${IDS.chatToolCall}&b=${IDS.chatToolResult}`, '[data-diff="request"]');
    const [a, b] = await sql<{ prompt_tokens: string; cost: string }>(
      `SELECT prompt_tokens, toString(cost_usd) AS cost FROM otel.llm_traces WHERE id IN ('${IDS.chatToolCall}', '${IDS.chatToolResult}') ORDER BY id = '${IDS.chatToolResult}'`,
    );
    expect((await texts('tr[data-delta="Prompt tokens"] td'))[3]).toBe(`+${Number(b!.prompt_tokens) - Number(a!.prompt_tokens)}`);
    expect(await page.locator('[data-diff="request"] .diff-line.add').count()).toBeGreaterThan(0);
    expect((await texts('[data-diff="request"] .diff-line.add')).join('\n')).toContain('## tool');
    await view.screenshot('compare');
    const other = (await sql<{ trace_id: string }>(`SELECT trace_id FROM otel.llm_traces WHERE id = '${IDS.responsesToolCall}'`))[0]!
      .trace_id;
    await open(`#/compare?kind=trace&a=${store.traceId}&b=${other}`, 'table.aligned tbody tr');
    const paths = await page.locator('table.aligned tbody tr').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-path')));
    expect(paths).toContain('POST /v1/chat > agent.turn > tool getWeather > GET /forecast');
    await open(`#/compare?kind=run&a=${RUNS.long}&b=${RUNS.chat}`, 'table.aligned tbody tr');
    expect(await page.locator('table.aligned tbody tr').count()).toBe(LONG_RUN_STEPS);
    expect((await texts('tr[data-delta="Calls"] td'))[3]).toBe(`-${LONG_RUN_STEPS - 2}`);
    await view.screenshot('compare-runs');
  });

  it('lists the most expensive calls and the largest requests', async () => {
    await open('#/top?range=24h', 'table[aria-label="top calls"] tbody tr[data-row-key]');
    const [top] = await sql<{ id: string }>(
      `SELECT id FROM otel.llm_traces WHERE created_at >= now64() - INTERVAL 1 DAY ORDER BY cost_usd DESC NULLS LAST LIMIT 1`,
    );
    expect(await page.locator('table[aria-label="top calls"] tbody tr[data-row-key]').first().getAttribute('data-row-key')).toBe(top!.id);
    await view.screenshot('top');
    await page.click('a[data-kind="request_bytes"]');
    await page.waitForFunction(
      (id) => document.querySelector('table[aria-label="top calls"] tbody tr[data-row-key]')?.getAttribute('data-row-key') === id,
      IDS.bigRequest,
    );
  });

  it('flags unpriced models and prices them with a what-if, showing the reprice command', async () => {
    await open('#/prices', '[data-unpriced]');
    expect(await page.locator('[data-unpriced]').textContent()).toContain(UNPRICED_MODEL);
    await page.locator('[data-unpriced] tr', { hasText: UNPRICED_MODEL }).locator('button').click();
    await page.fill(`input[aria-label="${UNPRICED_MODEL} Input"]`, '1');
    await page.fill(`input[aria-label="${UNPRICED_MODEL} Output"]`, '2');
    await page.click('button[data-run-what-if]');
    await page.waitForSelector('[data-what-if-result]');
    const [call] = await sql<{ prompt_tokens: string; completion_tokens: string }>(
      `SELECT prompt_tokens, completion_tokens FROM otel.llm_traces WHERE id = '${IDS.unpriced}'`,
    );
    // Cache reads fall back to the input rate when no cached rate is given.
    const cost = (Number(call!.prompt_tokens) * 1 + Number(call!.completion_tokens) * 2) / 1e6;
    const row = page.locator('[data-what-if-result] tr', { hasText: UNPRICED_MODEL });
    expect(await row.locator('td:nth-child(3) span').getAttribute('title')).toBe(`$${cost}`);
    expect(await page.locator('[data-reprice-command] code').textContent()).toMatch(/llm-traces reprice .*--prices-file/);
    await view.screenshot('prices');
  });

  it('groups errors by provider, type and message with sample calls', async () => {
    await open('#/errors?range=24h', 'table[aria-label="error groups"] tbody tr[data-row-key]');
    const groups = await page
      .locator('table[aria-label="error groups"] tbody tr[data-row-key]')
      .evaluateAll((rs) => rs.map((r) => [...r.querySelectorAll('td')].slice(0, 3).map((td) => td.textContent)));
    expect(groups).toContainEqual(['2', 'openai', 'AI_APICallError']);
    expect(groups).toContainEqual(['1', 'anthropic', 'rate_limit_error']);
    await view.screenshot('errors');
    await page.locator('table[aria-label="error groups"] tr', { hasText: 'AI_APICallError' }).locator('a[data-sample]').first().click();
    await page.waitForSelector('[data-call-error]');
    expect(await page.locator('[data-call-error]').textContent()).toContain('Rate limit reached');
    await view.screenshot('call-error');
  });

  it('exports the whole filtered set as CSV and JSONL, and a trace as OTLP JSON', async () => {
    await open('#/calls?limit=5', 'a[data-export="csv"]');
    const [count] = await sql<{ n: string }>(`SELECT count() AS n FROM otel.llm_traces WHERE created_at >= now64() - INTERVAL 1 DAY`);
    for (const format of ['csv', 'jsonl'] as const) {
      const download = page.waitForEvent('download');
      await page.click(`a[data-export="${format}"]`);
      const lines = readFileSync((await (await download).path())!, 'utf8')
        .trim()
        .split(/\r?\n/);
      // Every call of the window, not the 5 on the page (CSV adds a header).
      expect(lines).toHaveLength(Number(count!.n) + (format === 'csv' ? 1 : 0));
    }
    await open(`#/traces/${store.traceId}`, 'a[data-export="otlp"]');
    const download = page.waitForEvent('download');
    await page.click('a[data-export="otlp"]');
    const otlp = JSON.parse(readFileSync((await (await download).path())!, 'utf8')) as {
      resourceSpans: Array<{ scopeSpans: Array<{ spans: unknown[] }> }>;
    };
    expect(otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans))).toHaveLength(8);
  });

  it('moves with j/k, opens with Enter, searches with / and goes back with Esc', async () => {
    await open('#/calls', 'table[aria-label="calls"] tbody tr[data-row-key]');
    const keys = await rowKeys();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.keyboard.press('j');
    expect(await page.locator('table[aria-label="calls"] tr.selected').getAttribute('data-row-key')).toBe(keys[1]);
    await page.keyboard.press('Enter');
    await page.waitForFunction((id) => location.hash === `#/calls/${id}`, keys[1]);
    await page.waitForSelector('.call-page');
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => location.hash === '#/calls');
    await page.waitForSelector('table[aria-label="calls"]');
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.hasAttribute('data-search'))).toBe(true);
  });

  it('shows API refusals clearly: a bad parameter (400) and an unknown call (404)', async () => {
    await open('#/calls?min_cost=abc', '[data-failure]');
    expect(await page.locator('[data-failure]').getAttribute('data-failure')).toBe('client');
    expect(await page.locator('[data-failure]').textContent()).toContain('min_cost');
    await open('#/calls/no-such-call', '[data-failure]');
    expect(await page.locator('[data-failure]').getAttribute('data-failure')).toBe('not_found');
    // The refusals were the point: nothing else failed.
    expect(view.errors.splice(0).every((e) => /HTTP (400|404) .*\/api\/v1\/calls/.test(e) || e.includes('Failed to load resource'))).toBe(
      true,
    );
  });

  it('follows the system theme (dark)', async () => {
    const dark = await openViewer(browser, { colorScheme: 'dark' });
    try {
      await dark.page.goto(`${base}/#/calls`);
      await dark.page.waitForSelector('table[aria-label="calls"] tbody tr[data-row-key]');
      expect(await dark.page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(17, 19, 23)');
      await dark.screenshot('calls-dark');
      await dark.page.goto(`${base}/#/traces/${store.traceId}`);
      await dark.page.waitForSelector('.wf-row');
      await dark.screenshot('trace-dark');
      expect(dark.errors).toEqual([]);
    } finally {
      await dark.context.close();
    }
  });
});

/** A server of the describe block's own, over a fresh store, and a browser for it. */
function ownServer(name: string, args: string[] = []): { serve: ServeProcess; browser: Browser } {
  const path = mkdtempSync(join(tmpdir(), `llm-traces-viewer-${name}-`));
  const own = {} as { serve: ServeProcess; browser: Browser };
  beforeAll(async () => {
    own.serve = await startServe(['--path', path, ...args]);
    own.browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await own.browser?.close();
    await own.serve?.stop();
    rmSync(path, { recursive: true, force: true });
  });
  return own;
}

describe('viewer of an empty store, and when the server goes away', () => {
  const own = ownServer('empty');

  it('explains how to send the first spans, then says the server is down when it stops', async () => {
    const view = await openViewer(own.browser);
    const { page } = view;
    await page.goto(`${own.serve.url}/#/calls`);
    await page.waitForSelector('[data-empty-store]');
    const text = await page.locator('[data-empty-store]').textContent();
    expect(text).toContain(`OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=${own.serve.url} node --import llm-traces/register app.js`);
    expect(text).toContain('OTEL_EXPORTER_CLICKHOUSE_ENDPOINT');
    await view.screenshot('empty-store');
    await own.serve.stop();
    // A request of a page already loaded, and the code of one not loaded yet: both say the server is gone.
    await page.evaluate(() => (location.hash = '#/calls?range=1h'));
    await page.waitForSelector('[data-failure="down"]');
    expect(await page.locator('[data-failure="down"]').textContent()).toContain(
      `Cannot reach llm-traces serve at ${new URL(own.serve.url).host}`,
    );
    await view.screenshot('server-down');
    await page.click('nav a[href="#/agents"]');
    await page.waitForFunction(() => document.querySelector('[data-failure="down"]')?.textContent?.includes('could not be loaded'));
  });
});

describe('viewer of a store receiving calls', () => {
  const own = ownServer('live');

  it('shows new calls as they arrive, and stops when paused', async () => {
    const view = await openViewer(own.browser);
    const { page } = view;
    const calls = () => page.locator('table[aria-label="calls"] tbody tr[data-row-key]');
    const rowKeys = () => calls().evaluateAll((rows) => rows.map((r) => r.getAttribute('data-row-key')));
    await exportLiveCall(own.serve.url, 'live-1');
    await page.goto(`${own.serve.url}/#/calls`);
    await page.waitForSelector('tr[data-row-key="live-1"]');
    expect(await page.locator('[data-live]').getAttribute('data-live')).toBe('live');
    await exportLiveCall(own.serve.url, 'live-2');
    // The page polls every 5 s while live.
    await page.waitForSelector('tr[data-row-key="live-2"]', { timeout: 10_000 });
    expect(await rowKeys()).toEqual(['live-2', 'live-1']);
    await page.click('[data-live]');
    await page.waitForSelector('[data-live="paused"]');
    // A model name as long as hosted-model paths get, to see the table keep its shape.
    await exportLiveCall(own.serve.url, 'live-3', 'accounts/fireworks/models/llama-v3p1-405b-instruct-long-context-preview');
    await page.waitForTimeout(6_000);
    expect(await calls().count()).toBe(2);
    await page.click('[data-live]');
    await page.waitForSelector('tr[data-row-key="live-3"]');
    expect(await rowKeys()).toEqual(['live-3', 'live-2', 'live-1']);
    await page.waitForFunction(() => document.querySelector('[data-tile="Calls"]')?.textContent === '3');
    await view.screenshot('calls-long-model');
    expect(view.errors).toEqual([]);
    await view.context.close();
  });
});

describe('viewer of a server that requires credentials', () => {
  const own = ownServer('auth', ['--user', 'dev', '--password', 'dev-secret']);

  it('signs in from the printed address, and shows the sign-in page alone when the session is gone', async () => {
    const view = await openViewer(own.browser);
    const { page, context } = view;
    // Without the token the page loads (it holds no data) and says where the address is; its API requests are refused.
    await page.goto(`${own.serve.url}/#/calls`);
    await page.waitForSelector('[data-failure="auth"]');
    expect(await page.locator('[data-failure="auth"]').textContent()).toContain('open the address llm-traces serve printed (with ?token=)');
    view.errors.length = 0;
    // The address the banner printed signs the browser in (an HttpOnly cookie) and lands on the Calls page, without the token.
    const printed = /  the viewer: (http:\/\/\S+\?token=\S+)/.exec(own.serve.output())![1]!;
    await page.goto(printed);
    await page.waitForSelector('[data-empty-store]');
    expect(await page.locator('nav a.on').textContent()).toBe('Calls');
    expect(page.url()).toBe(`${own.serve.url}/`);
    const [cookie] = await context.cookies();
    expect([cookie!.httpOnly, cookie!.sameSite]).toEqual([true, 'Strict']);
    expect(view.errors).toEqual([]);
    // The session gone (a restarted server has a new token): the API answers 403 with code 516,
    // and the page already open says how to sign in, without the navigation into pages that would fail the same way.
    await context.clearCookies();
    await page.evaluate(() => (location.hash = '#/calls?range=1h'));
    await page.waitForSelector('[data-failure="auth"]');
    expect(await page.locator('[data-failure="auth"]').textContent()).toContain(
      'This server needs you to sign in: open the address llm-traces serve printed (with ?token=)',
    );
    expect(await page.locator('nav').count()).toBe(0);
    expect(await page.locator('[data-failure]').count()).toBe(1);
    await view.screenshot('sign-in');
    expect(view.errors.length).toBeGreaterThan(0);
    expect(view.errors.every((e) => /HTTP 403 .*\/api\/v1\/calls/.test(e) || e.includes('Failed to load resource'))).toBe(true);
    await context.close();
  });
});
