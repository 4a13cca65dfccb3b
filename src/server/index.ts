export { startClickHouseHttpServer, type ClickHouseHttpServer } from './clickhouse-http-server.js';
export {
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_MAX_CONCURRENT_QUERIES,
  DEFAULT_PORT,
  type ClickHouseHttpServerOptions,
} from './server-options.js';
