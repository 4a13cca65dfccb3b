/**
 * Quickstart: an OTel-instrumented "support agent" calls an LLM provider (a fake one on loopback,
 * so no network or key is needed), exports through llm-traces into embedded ClickHouse at
 * ./.llm-traces (or where OTEL_EXPORTER_CLICKHOUSE_* point), then reads back usage by model and the
 * run's span tree. It imports the package as an app does: copy it into yours.
 *
 *   npm install && npm run example
 */
import { createServer, type Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import { resolve as resolvePath } from 'node:path';
import { DiagConsoleLogger, DiagLogLevel, SpanKind, SpanStatusCode, diag, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import {
  ClickHouseBatchSpanProcessor,
  ClickHouseTraceExporter,
  LlmContextSpanProcessor,
  LlmTraceReader,
  OtelTraceReader,
  formatSpanTree,
  formatTable,
  openStore,
  resolveConfig,
  withLlmContext,
} from 'llm-traces';

// 0. Show OpenTelemetry's warnings and errors (llm-traces reports a wrong password or a store in use there).
diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);

// 1. Register the exporter as any OTel app would. No endpoint configured: embedded ClickHouse.
const exporter = new ClickHouseTraceExporter();
const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'quickstart-agent' }),
  spanProcessors: [new LlmContextSpanProcessor(), new ClickHouseBatchSpanProcessor(exporter)],
});
provider.register();
const tracer = trace.getTracer('quickstart');

// 2. A fake OpenAI-compatible provider on 127.0.0.1 that answers with realistic usage.
const fakeProvider = await startFakeProvider();

interface ChatResponse {
  id: string;
  model: string;
  choices: { message: { role: string; content: string }; finish_reason: string }[];
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number; prompt_tokens_details: { cached_tokens: number } };
}

/** One chat call, wrapped in a GenAI span the way an instrumentation library records it. */
async function chat(model: string, prompt: string): Promise<string> {
  return tracer.startActiveSpan(`chat ${model}`, { kind: SpanKind.CLIENT }, async (span) => {
    span.setAttributes({ 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model });
    span.setAttribute('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: prompt }] }]));
    try {
      const response = await fetch(`${fakeProvider.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: prompt }] }),
      });
      if (!response.ok) throw new Error(`provider answered ${response.status}`);
      const body = (await response.json()) as ChatResponse;
      const choice = body.choices[0]!;
      span.setAttributes({
        'gen_ai.response.id': body.id,
        'gen_ai.response.model': body.model,
        'gen_ai.response.finish_reasons': [choice.finish_reason],
        'gen_ai.usage.input_tokens': body.usage.prompt_tokens,
        'gen_ai.usage.output_tokens': body.usage.completion_tokens,
        'gen_ai.usage.cache_read.input_tokens': body.usage.prompt_tokens_details.cached_tokens,
        'gen_ai.output.messages': JSON.stringify([{ role: 'assistant', parts: [{ type: 'text', content: choice.message.content }] }]),
      });
      return choice.message.content;
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      span.setAttribute('error.type', 'ProviderError');
      return '';
    } finally {
      span.end();
    }
  });
}

// 3. The agent: one run, three steps, every span tagged with organization, agent, run and step.
const runId = `run-${randomUUID().slice(0, 8)}`;
const startedAt = new Date();
await tracer.startActiveSpan('support-agent run', async (root) => {
  await withLlmContext({ agentId: 'support-agent', runId, tags: ['quickstart'] }, async () => {
    await withLlmContext({ stepId: `${runId}-plan` }, () => chat('gpt-4.1-mini', 'Plan how to answer: where is my order?'));
    await withLlmContext({ stepId: `${runId}-answer` }, () => chat('gpt-4.1', 'Write the answer with the tracking link.'));
    await withLlmContext({ stepId: `${runId}-check` }, () => chat('fail-model', 'Check the answer for tone.'));
  });
  root.end();
});

// 4. Flush: shutting the provider down waits for every export to be stored.
await provider.shutdown();
await fakeProvider.close();

// 5. Read it back. The same settings (env or defaults) open the same store.
const { client, close } = await openStore();
try {
  const llm = new LlmTraceReader({ client, organizationId: '' });
  const stats = await llm.getUsageStats({ groupBy: 'model', start: startedAt });
  console.log(`\nUsage by model since ${startedAt.toISOString()}:\n`);
  console.log(
    formatTable(stats, [
      { header: 'model', value: (s) => s.key },
      { header: 'calls', value: (s) => s.requestCount },
      { header: 'errors', value: (s) => s.errorCount },
      { header: 'prompt', value: (s) => s.promptTokens },
      { header: 'cached', value: (s) => s.cachedInputTokens },
      { header: 'completion', value: (s) => s.completionTokens },
      { header: 'avg ms', value: (s) => Math.round(s.avgLatencyMs) },
      { header: 'cost $', value: (s) => s.costUsd },
    ]),
  );

  const otel = new OtelTraceReader({ client, organizationId: '' });
  const run = await otel.getRunTrace(runId, { uiSpansOnly: false });
  if (run) {
    const calls = await llm.listByAgent('support-agent', { start: startedAt, limit: 100 });
    const notes = new Map(
      calls.map((c) => [
        c.spanId,
        c.isError ? `[${c.model}: ${c.errorType}]` : `[${c.model}: ${c.promptTokens} in / ${c.completionTokens} out, ${c.latencyMs}ms]`,
      ]),
    );
    console.log(`\nTrace ${run.traceId} of ${runId}:\n`);
    console.log(formatSpanTree(run.spans, notes).join('\n'));
  }
} finally {
  await close();
}

// 6. Where the data is, and what to look at next.
const { connection } = resolveConfig();
const where = connection.kind === 'embedded' ? `the embedded store at ${resolvePath(connection.path)}` : 'the configured ClickHouse';
const next = [
  ['npx llm-traces stats', 'usage by model (--group-by agent_id, provider, call_type)'],
  ['npx llm-traces list --errors', 'the failed call'],
  [`npx llm-traces trace --run ${runId}`, "this run's spans"],
  ['npx llm-traces ui --open', 'the web viewer'],
];
console.log(`\nStored in ${where}. Next:\n${next.map(([command, what]) => `  ${command!.padEnd(40)} ${what}`).join('\n')}`);

async function startFakeProvider(): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { model, messages } = JSON.parse(body) as { model: string; messages: { content: string }[] };
      if (model === 'fail-model') {
        response.writeHead(429, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'Rate limit reached', type: 'rate_limit_exceeded' } }));
        return;
      }
      const promptTokens = 900 + messages[0]!.content.length;
      const reply = 'Your order ships today; tracking: https://example.com/t/42';
      setTimeout(() => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(
          JSON.stringify({
            id: `chatcmpl-${randomUUID().slice(0, 8)}`,
            object: 'chat.completion',
            model: `${model}-2025-04-14`,
            choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
            usage: {
              prompt_tokens: promptTokens,
              completion_tokens: 18,
              total_tokens: promptTokens + 18,
              prompt_tokens_details: { cached_tokens: 768 },
            },
          }),
        );
      }, 40);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
