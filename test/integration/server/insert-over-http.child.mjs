// Run by multi-process.test.ts as a separate Node process: exports rows to the server over HTTP,
// the way an app with OTEL_EXPORTER_CLICKHOUSE_ENDPOINT would, then reports what it sent.
// Credentials come from the environment so they never appear in a process listing.
import { createClient } from '@clickhouse/client';

const { CLICKHOUSE_URL, CLICKHOUSE_USER, CLICKHOUSE_PASSWORD, BATCHES, BATCH_SIZE } = process.env;
const client = createClient({ url: CLICKHOUSE_URL, username: CLICKHOUSE_USER, password: CLICKHOUSE_PASSWORD });
const batches = Number(BATCHES);
const batchSize = Number(BATCH_SIZE);
for (let batch = 0; batch < batches; batch++) {
  await client.insert({
    table: 'spans',
    format: 'JSONEachRow',
    values: Array.from({ length: batchSize }, (_, seq) => ({ pid: process.pid, batch, seq })),
    clickhouse_settings: { async_insert: 1, wait_for_async_insert: 1 },
  });
}
await client.close();
process.stdout.write(JSON.stringify({ pid: process.pid, inserted: batches * batchSize }));
