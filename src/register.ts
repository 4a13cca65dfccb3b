/**
 * Zero-code entry: `node --import llm-traces/register app.js` starts a tracer provider that
 * exports through `ClickHouseTraceExporter`, configured from environment variables alone
 * (`OTEL_EXPORTER_CLICKHOUSE_*`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_*`).
 * It shows llm-traces' failures on stderr (OTEL_LOG_LEVEL for more), installs the instrumentations'
 * ESM loader hook, and flushes pending spans when the event loop empties (`beforeExit`).
 */
import { diag } from '@opentelemetry/api';
import { defaultResource, detectResources, envDetector, hostDetector, processDetector } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { resolveConfig } from './config/config.js';
import { ClickHouseBatchSpanProcessor } from './delivery/batching.js';
import { LlmContextSpanProcessor } from './context.js';
import { ClickHouseTraceExporter } from './exporter.js';
import { installGenAiContentLogs } from './logs/genai-content-processor.js';
import { setUpDiagnostics } from './zero-code/diagnostics.js';
import { registerInstrumentationHook } from './zero-code/loader-hook.js';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

setUpDiagnostics();
const hook = registerInstrumentationHook();
log.debug(hook ? `ESM loader hook: ${hook}` : 'no @opentelemetry/instrumentation resolvable from the app: no ESM loader hook');

/** The provider, or undefined when the configuration is invalid (said once; the app runs untraced). */
const provider = configurationIsValid() ? startProvider() : undefined;

function configurationIsValid(): boolean {
  try {
    resolveConfig();
    return true;
  } catch (error) {
    log.error(`${(error as Error).message} The app runs without tracing.`);
    return false;
  }
}

function startProvider(): NodeTracerProvider {
  const resource = defaultResource().merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }));
  const exporter = new ClickHouseTraceExporter();
  const started = new NodeTracerProvider({
    resource,
    spanProcessors: [new LlmContextSpanProcessor(), new ClickHouseBatchSpanProcessor(exporter)],
  });
  started.register();
  // GenAI content that instrumentations emit as log records (instrumentation-openai), joined to its calls.
  void installGenAiContentLogs(exporter);
  process.once('beforeExit', () => {
    // What could not be stored has been reported by the exporter, with its cause, as it happened.
    started.shutdown().catch((error: unknown) => log.debug(`shutdown: ${(error as Error).message}`));
  });
  return started;
}

export { provider };
