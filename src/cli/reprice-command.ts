/** `llm-traces reprice`: recompute stored costs after a price change (prices file or bundled table). */
import { createPricer } from '../pricing/index.js';
import { reprice } from '../store/reprice.js';
import { parseDate, parseSince } from './commands.js';
import { CONNECTION_OPTIONS, connectionOptions, type Command } from './command.js';
import { CliError, connect, explain } from './connect.js';

export const repriceCommand: Command = {
  summary: 'recompute stored costs after a price change',
  usage: 'llm-traces reprice [--since 30d | --start DATE] [--prices-file FILE] [--path DIR | --endpoint URL] [--json]',
  options: {
    ...CONNECTION_OPTIONS,
    since: { type: 'string' },
    start: { type: 'string' },
    'prices-file': { type: 'string' },
    json: { type: 'boolean' },
  },
  help: `Recomputes cost_usd and its split for stored LLM calls with the current price table (plus
--prices-file or OTEL_EXPORTER_CLICKHOUSE_PRICES_FILE), in place. Costs the spans provided are kept.
Safe to run again: unchanged rows are not rewritten.`,
  run: async (values) => {
    if (values.since !== undefined && values.start !== undefined) throw new CliError('use --since or --start, not both.');
    const since =
      values.since !== undefined
        ? parseSince(values.since as string)
        : values.start !== undefined
          ? parseDate('--start', values.start as string)
          : undefined;
    const { config, opened } = await connect({ ...connectionOptions(values), pricesFile: values['prices-file'] as string | undefined });
    try {
      const pricer = createPricer(config.pricing);
      const result = await reprice(opened.client, { database: config.database, table: config.llmTable, pricer, since }).catch(
        (error: unknown) => {
          throw explain(error, config);
        },
      );
      console.log(
        values.json
          ? JSON.stringify(result)
          : `scanned ${result.scanned} calls, updated ${result.updated}; ` +
              `${result.withoutUsage} reported no usage (failed calls, mostly: nothing to price), ` +
              `${result.unpriced - result.withoutUsage} used a model without a known price`,
      );
      return 0;
    } finally {
      await opened.close().catch(() => {});
    }
  },
};
