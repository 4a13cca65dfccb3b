/**
 * Entry of every child process of the benchmark (see processes.ts):
 *   child.ts <task> <json-args> <result-file>   runs a task and writes its result as JSON
 *   child.ts <service> <json-args>              prints {"url": ...} and serves until stdin closes
 * Modules are imported when their task runs, so one broken module fails only its own section.
 */
import { writeFileSync } from 'node:fs';

type Runner = (args: never) => Promise<unknown>;
type Starter = (args: never) => Promise<{ url: string; close(): Promise<void> }>;

const TASKS: Record<string, Runner> = {
  'exporter-cpu': async (args) => (await import('./exporter-cpu.js')).measureExporterCpu(args),
  'end-to-end': async (args) => (await import('./end-to-end.js')).measureEndToEnd(args),
  'app-cost': async (args) => (await import('./app-cost.js')).measureAppCost(args),
  'app-cost-sample': async (args) => (await import('./app-cost.js')).runAppCostSample(args),
  storage: async (args) => (await import('./storage.js')).measureStorage(args),
  reader: async (args) => (await import('./reader.js')).measureReader(args),
  viewer: async (args) => (await import('./viewer.js')).measureViewer(args),
  serve: async (args) => (await import('./serve.js')).measureServe(args),
};

const SERVICES: Record<string, Starter> = {
  'discard-sink': async () => (await import('./sink.js')).startDiscardSink(),
  'clickhouse-http': async (args: { path: string }) => {
    const { startClickHouseHttpServer } = await import('../src/server/index.js');
    const server = await startClickHouseHttpServer({ path: args.path, host: '127.0.0.1', port: 0 });
    return { url: server.url, close: () => server.close() };
  },
};

async function main(): Promise<void> {
  const [name = '', rawArgs = '{}', resultFile] = process.argv.slice(2);
  const args = JSON.parse(rawArgs) as never;
  const task = TASKS[name];
  if (task && resultFile) {
    writeFileSync(resultFile, JSON.stringify(await task(args)));
    return;
  }
  const service = SERVICES[name];
  if (!service) throw new Error(`unknown bench task or service '${name}'`);
  const running = await service(args);
  process.stdout.write(`${JSON.stringify({ url: running.url })}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once('end', resolve));
  await running.close();
}

main().then(
  // Exporters and chDB may leave handles open; the result is written, so end here.
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
