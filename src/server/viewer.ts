/**
 * The web viewer as `serve` mounts it: the /api/v1 JSON API over org-scoped readers and the
 * static bundle, on the server's own store connection.
 */
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import type { ChdbConnection } from 'chdb/connection';
import type { CatalogPricer } from '../pricing/pricer.js';
import { LlmTraceReader, OtelTraceReader } from '../reader/index.js';
import type { ApiTables } from './json-api.js';
import type { ViewerHandlers } from './server-options.js';
import { createStaticFiles } from './static-files.js';
import { createViewerApi, type Readers } from './viewer-api/index.js';

export interface ViewerOptions {
  tables: ApiTables;
  pricer: CatalogPricer;
  /** The server requires credentials. */
  auth: boolean;
  version: string;
  /** The bundle's directory; default this package's dist/viewer. */
  root?: string;
  exportPageSize?: number;
}

export function createViewer(connection: ChdbConnection, options: ViewerOptions): ViewerHandlers {
  const client = createClient({ connection: connection as never, application: 'llm-traces-viewer' });
  return {
    api: createViewerApi({
      readersFor: readersOver(client, options.tables),
      pricer: options.pricer,
      auth: options.auth,
      version: options.version,
      exportPageSize: options.exportPageSize,
    }),
    files: createStaticFiles(options.root),
  };
}

/** The readers of one organization over `client`. */
export function readersOver(client: ClickHouseClient, tables: ApiTables): (organizationId: string) => Readers {
  return (organizationId) => ({
    llm: new LlmTraceReader({ client, organizationId, database: tables.database, table: tables.llmTable }),
    otel: new OtelTraceReader({ client, organizationId, database: tables.database, table: tables.tracesTable, llmTable: tables.llmTable }),
  });
}
