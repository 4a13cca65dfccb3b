// Run by app-exit.test.ts as an app would run: a tracer provider with a BatchSpanProcessor over
// the built exporter, spans ended, then one way of ending the process (EXIT_MODE). diag lines go
// to stderr, the exporter's counters to stdout as one JSON line when the app still can print them.
import { DiagLogLevel, diag } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ClickHouseTraceExporter } from '../../../dist/index.js';

const { ENDPOINT, EXIT_MODE, SERVICE, RETRY_BUDGET_MS } = process.env;
diag.setLogger(
  {
    error: (...args) => process.stderr.write(`error ${args.join(' ')}\n`),
    warn: (...args) => process.stderr.write(`warn ${args.join(' ')}\n`),
    info: () => {},
    debug: () => {},
    verbose: () => {},
  },
  { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
);
const exporter = new ClickHouseTraceExporter({
  endpoint: ENDPOINT,
  retryBudgetMs: Number(RETRY_BUDGET_MS ?? 1_000),
  shutdownTimeoutMs: 5_000,
});
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': SERVICE }),
  spanProcessors: [new BatchSpanProcessor(exporter, { scheduledDelayMillis: 60_000 })],
});
// Registered after the exporter's own exit handler: these are the counts once it has accounted for everything.
process.on('exit', () => process.stdout.write(`exit ${JSON.stringify(exporter.stats())}\n`));
const tracer = provider.getTracer('app');
for (let i = 0; i < 40; i++) tracer.startSpan(`work ${i}`).end();

if (EXIT_MODE === 'leave') {
  // The SDK's own BatchSpanProcessor: its forceFlush() returns once the rows are accepted, not
  // stored; then the app ends without shutting the SDK down.
  const outcome = await provider.forceFlush().then(
    () => 'resolved',
    (error) => `rejected: ${error.message}`,
  );
  process.stdout.write(`${JSON.stringify({ outcome, stats: exporter.stats() })}\n`);
} else if (EXIT_MODE === 'flush') {
  // The store is down: forceFlush waits for the retry budget, then resolves with the rows counted.
  await provider.forceFlush().catch(() => {});
  await exporter.forceFlush();
  process.stdout.write(`${JSON.stringify(exporter.stats())}\n`);
} else if (EXIT_MODE === 'exit') {
  // Rows handed over, then process.exit() without waiting for anything.
  await provider.forceFlush().catch(() => {});
  process.exit(0);
}
