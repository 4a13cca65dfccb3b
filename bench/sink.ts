/**
 * A loopback HTTP endpoint that reads and discards every request body and answers 200, standing in
 * for an OTLP receiver or a ClickHouse server when only the sender's own cost is measured.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface DiscardSink {
  url: string;
  close(): Promise<void>;
}

export async function startDiscardSink(): Promise<DiscardSink> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      // An OTLP/JSON sender parses the response as an ExportTraceServiceResponse; an empty protobuf
      // message and an empty ClickHouse INSERT response are both zero bytes.
      const json = request.headers['content-type']?.includes('json') === true;
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/octet-stream' });
      response.end(json ? '{}' : undefined);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
