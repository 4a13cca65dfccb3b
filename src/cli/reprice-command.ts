/** `llm-traces reprice`: recompute stored costs after a price change (prices file or bundled table). */
import { parseArgs } from 'node:util';
import { createPricer } from '../pricing/index.js';
import { reprice } from '../store/reprice.js';
import { parseDate, parseSince } from './commands.js';
import { CliError, connect, explain } from './connect.js';

const USAGE = `Usage: llm-traces reprice [--since 30d | --start DATE] [--prices-file FILE] [--path DIR | --endpoint URL] [--json]

Recomputes cost_usd and its split for stored LLM calls with the current price table (plus
--prices-file or OTEL_EXPORTER_CLICKHOUSE_PRICES_FILE), in place. Costs the spans provided are kept.
Safe to run again: unchanged rows are not rewritten.`;

export async function repriceCommand(args: string[]): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({
      args,
      options: {
        since: { type: 'string' },
        start: { type: 'string' },
        'prices-file': { type: 'string' },
        path: { type: 'string' },
        endpoint: { type: 'string' },
        database: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }).values;
  } catch (error) {
    console.error(`llm-traces reprice: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  let connected: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    if (values.since !== undefined && values.start !== undefined) throw new CliError('use --since or --start, not both.');
    const since =
      values.since !== undefined
        ? parseSince(values.since as string)
        : values.start !== undefined
          ? parseDate('--start', values.start as string)
          : undefined;
    connected = await connect({
      path: values.path as string | undefined,
      endpoint: values.endpoint as string | undefined,
      database: values.database as string | undefined,
      username: values.user as string | undefined,
      password: values.password as string | undefined,
      pricesFile: values['prices-file'] as string | undefined,
    });
    const { config, opened } = connected;
    const pricer = createPricer(config.pricing);
    const result = await reprice(opened.client, { database: config.database, table: config.llmTable, pricer, since }).catch(
      (error: unknown) => {
        throw explain(error, config);
      },
    );
    console.log(
      values.json
        ? JSON.stringify(result)
        : `scanned ${result.scanned} calls, updated ${result.updated}, ${result.unpriced} without a known price`,
    );
    return 0;
  } catch (error) {
    console.error(`llm-traces reprice: ${(error as Error).message}`);
    return 1;
  } finally {
    await connected?.opened.close().catch(() => {});
  }
}
