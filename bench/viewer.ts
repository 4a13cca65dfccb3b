/**
 * Section 7: the viewer in headless Chromium against `llm-traces serve` over the reader's large
 * store (reader-data.ts) plus one trace of 1,000 spans: time from navigation to the first
 * rendered Calls page, trace waterfall and 30-day Usage page. Needs `npm run build` (the bundle
 * and the CLI in dist/).
 */
import { existsSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import type { Browser } from 'playwright-core';
import { openClient } from '../src/store/connection.js';
import { ensureSchema } from '../src/schema/migrate.js';
import { launchBrowser } from '../test/support/browser.js';
import { startServe } from '../test/support/serve-process.js';
import { progress, sized, type BenchOptions } from './options.js';
import { seededRandom, textSource } from './random.js';
import { MIN_TEXT_CHARS, generateReaderData, insertSelect } from './reader-data.js';
import type { Figure, SectionResult } from './report.js';
import { median, quantile } from './stats.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

const BUNDLE = new URL('../dist/viewer/index.html', import.meta.url).pathname;
const TRACE_SPANS = 1000;

interface WideTrace {
  trace_id: string;
  organization_id: string;
}

interface PageLoad {
  label: string;
  target: number;
  hash: string;
  /** The element that says the page has drawn its data. */
  ready: string;
}

export async function measureViewer(options: BenchOptions): Promise<SectionResult> {
  if (!existsSync(BUNDLE)) throw new Error('the viewer section needs the built bundle and CLI: run `npm run build` first');
  const calls = sized(options, 100_000, 1_000_000);
  const iterations = sized(options, 5, 15);
  const path = makeTempDir('viewer');
  let trace: WideTrace;
  const opened = await openClient({ kind: 'embedded', path });
  try {
    await ensureSchema(opened.client, {
      database: 'otel',
      tracesTable: 'otel_traces',
      llmTable: 'llm_traces',
      ttlDays: undefined,
      cluster: undefined,
    });
    progress(`viewer: generating ${calls.toLocaleString('en-US')} calls and a trace of ${TRACE_SPANS} spans`);
    await generateReaderData(
      opened.client,
      calls,
      new Date(Math.floor(Date.now() / 1000) * 1000),
      textSource(seededRandom(options.seed)).prose(MIN_TEXT_CHARS + 4_000),
    );
    trace = await widenOneTrace(opened.client);
    for (const table of ['otel.llm_traces', 'otel.otel_traces', 'otel.otel_traces_trace_id_ts'])
      await opened.client.command({ query: `OPTIMIZE TABLE ${table} FINAL` });
  } finally {
    // The store is served by its own process next: one data directory, one process.
    await opened.close();
  }
  const serve = await startServe(['--path', path]);
  let browser: Browser | undefined;
  try {
    browser = await launchBrowser();
    // The generated calls belong to three organizations; the page reads the one the wide trace is in.
    const origin = `${serve.url}/?org=${encodeURIComponent(trace.organization_id)}`;
    const pages: PageLoad[] = [
      {
        label: 'Calls page, first rendered page of calls (last 24 h)',
        target: 300,
        hash: '#/calls',
        ready: 'table[aria-label="calls"] tbody tr[data-row-key]',
      },
      {
        label: `trace waterfall of ${TRACE_SPANS.toLocaleString('en-US')} spans`,
        target: 500,
        hash: `#/traces/${trace.trace_id}`,
        ready: '.wf-row',
      },
      { label: 'Usage page over 30 days (five charts)', target: 500, hash: '#/usage?range=30d', ready: '[data-chart="cache"] canvas' },
    ];
    const figures: Figure[] = [];
    for (const load of pages) {
      progress(`viewer: ${load.label}`);
      figures.push(await timeLoads(browser, `${origin}${load.hash}`, load, iterations));
    }
    return {
      id: 'viewer',
      tables: [{ title: `Headless Chromium against llm-traces serve, ${calls.toLocaleString('en-US')} llm_traces rows`, figures }],
      notes: [
        `The reader section's data set (30 days, 3 organizations; the pages read one, about a third of the rows) plus ${TRACE_SPANS} spans in one trace, served by \`llm-traces serve\` (dist/cli/main.js) in its own process; headless Chromium with a 1280x860 viewport.`,
        `Each figure: the page's own clock (performance.now() from the start of the navigation) when it has drawn its data (the first call row; the first waterfall row; the fifth chart's canvas), checked every 5 ms; a new tab each time, the bundle in the HTTP cache after two warm-up loads. Median of ${iterations}, p95 in parentheses.`,
      ],
    };
  } finally {
    await browser?.close();
    await serve.stop();
    removeTempDir(path);
  }
}

async function timeLoads(browser: Browser, url: string, load: PageLoad, iterations: number): Promise<Figure> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  try {
    const times: number[] = [];
    for (let i = -2; i < iterations; i += 1) {
      const page = await context.newPage();
      await page.goto(url, { waitUntil: 'commit' });
      // The page's own clock, from the start of the navigation to the moment its data is drawn
      // (checked every 5 ms), so the harness's tab handling is not in the figure.
      const drawn = await page.waitForFunction(
        // Runs in the page (a function, not a string: the viewer's CSP forbids eval); typed here without the DOM lib.
        (selector: string) =>
          (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector(selector) !== null &&
          performance.now(),
        load.ready,
        { polling: 5, timeout: 60_000 },
      );
      if (i >= 0) times.push((await drawn.jsonValue()) as number);
      await page.close();
    }
    return {
      label: load.label,
      value: median(times),
      unit: 'ms',
      digits: 0,
      note: `p95 ${quantile(times, 0.95).toFixed(0)} ms`,
      target: { op: '<', value: load.target },
    };
  } finally {
    await context.close();
  }
}

/**
 * Grows one generated run's trace to TRACE_SPANS spans: shards under its root server span, each
 * with steps under it, the way a batch job's trace looks.
 */
export async function widenOneTrace(client: ClickHouseClient): Promise<WideTrace> {
  const [root] = await (
    await client.query({
      query: `SELECT TraceId AS trace_id, SpanId AS span_id, toString(Timestamp) AS start FROM otel.otel_traces WHERE SpanKind = 'Server' ORDER BY TraceId LIMIT 1`,
      format: 'JSONEachRow',
    })
  ).json<{ trace_id: string; span_id: string; start: string }>();
  const [existing] = await (
    await client.query({
      query: 'SELECT count() AS n FROM otel.otel_traces WHERE TraceId = {trace:String}',
      query_params: { trace: root!.trace_id },
      format: 'JSONEachRow',
    })
  ).json<{ n: string }>();
  const extra = TRACE_SPANS - Number(existing!.n);
  const id = (salt: string, n: string) => `substring(lower(hex(MD5(concat('${salt}', toString(${n}))))), 1, 16)`;
  await client.command({
    query: insertSelect(
      'otel.otel_traces',
      [
        ['Timestamp', `{start:DateTime64(9)} + toIntervalMillisecond(number * 3)`],
        ['TraceId', '{trace:String}'],
        ['SpanId', id('wide', 'number')],
        // Every tenth span is a shard under the root; the nine after it are its steps.
        ['ParentSpanId', `if(number % 10 = 0, {root:String}, ${id('wide', 'number - number % 10')})`],
        ['SpanName', `if(number % 10 = 0, concat('shard ', toString(intDiv(number, 10))), concat('process item ', toString(number % 10)))`],
        ['SpanKind', `'Internal'`],
        ['ServiceName', `if(number % 10 = 9, 'storage', 'batch')`],
        ['ResourceAttributes', `map('service.name', if(number % 10 = 9, 'storage', 'batch'))`],
        ['ScopeName', `'bench'`],
        ['SpanAttributes', `map('item', toString(number))`],
        ['Duration', `if(number % 10 = 0, 30000000, 2000000)`],
        ['StatusCode', `'Unset'`],
      ],
      'number AS n',
      `numbers(${extra})`,
    ),
    query_params: { start: root!.start, trace: root!.trace_id, root: root!.span_id },
  });
  const [owner] = await (
    await client.query({
      query: 'SELECT organization_id FROM otel.llm_traces WHERE trace_id = {trace:String} LIMIT 1',
      query_params: { trace: root!.trace_id },
      format: 'JSONEachRow',
    })
  ).json<{ organization_id: string }>();
  return { trace_id: root!.trace_id, organization_id: owner!.organization_id };
}
