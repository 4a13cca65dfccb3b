/**
 * Zero-code entry: `node --import llm-traces/register app.js` starts a tracer provider that
 * exports through `ClickHouseTraceExporter`, configured from environment variables alone
 * (`OTEL_EXPORTER_CLICKHOUSE_*`, `OTEL_SERVICE_NAME`, `OTEL_RESOURCE_ATTRIBUTES`, `OTEL_BSP_*`).
 * Pending spans are flushed when the event loop empties (`beforeExit`).
 */
import { diag } from '@opentelemetry/api';
import { defaultResource, detectResources, envDetector, hostDetector, processDetector } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { batchSpanProcessorConfig } from './delivery/batching.js';
import { LlmContextSpanProcessor } from './context.js';
import { ClickHouseTraceExporter } from './exporter.js';
import { installGenAiContentLogs } from './logs/genai-content-processor.js';

const resource = defaultResource().merge(detectResources({ detectors: [envDetector, processDetector, hostDetector] }));
const exporter = new ClickHouseTraceExporter();
const provider = new NodeTracerProvider({
  resource,
  spanProcessors: [new LlmContextSpanProcessor(), new BatchSpanProcessor(exporter, batchSpanProcessorConfig())],
});
provider.register();
// GenAI content that instrumentations emit as log records (instrumentation-openai), joined to its calls.
void installGenAiContentLogs(exporter);

let shuttingDown = false;
process.once('beforeExit', () => {
  if (shuttingDown) return;
  shuttingDown = true;
  provider.shutdown().catch((error: unknown) => diag.error('llm-traces: shutdown failed', error));
});

export { provider };
