import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { Counters } from '../../../src/delivery/counters.js';

describe('exporter counters as OTel metrics', () => {
  it('reports rows exported and dropped by reason, retries, failed exports and the buffer', async () => {
    const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 60_000 });
    const provider = new MeterProvider({ readers: [reader] });
    const counters = new Counters();
    counters.instrument(provider);
    counters.instrument(provider); // once only
    counters.exported('spans', 500);
    counters.exported('llm_calls', 40);
    counters.dropped('buffer_full', 7);
    counters.stats.retries = 3;
    counters.failedExport();
    counters.stats.bufferedRows = 12;
    const { resourceMetrics } = await reader.collect();
    const points = Object.fromEntries(
      resourceMetrics.scopeMetrics.flatMap((scope) =>
        scope.metrics.flatMap((metric) =>
          metric.dataPoints.map((point) => [`${metric.descriptor.name}${JSON.stringify(point.attributes)}`, point.value]),
        ),
      ),
    );
    expect(points).toMatchObject({
      'llm_traces.exporter.rows.exported{"table":"otel_traces"}': 500,
      'llm_traces.exporter.rows.exported{"table":"llm_traces"}': 40,
      'llm_traces.exporter.rows.dropped{"reason":"buffer_full"}': 7,
      'llm_traces.exporter.rows.dropped{"reason":"expired"}': 0,
      'llm_traces.exporter.retries{}': 3,
      'llm_traces.exporter.exports.failed{}': 1,
      'llm_traces.exporter.buffer.rows{}': 12,
    });
    await provider.shutdown();
  });
});
