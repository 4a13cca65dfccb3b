/**
 * Reads a request body into memory, decompressing it by its Content-Encoding, and refuses bodies
 * larger than the limit (counted after decompression, so a small compressed bomb cannot expand
 * past it). On refusal the socket is left intact, so the caller can still send the error.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ClickHouseServerError } from './server-error.js';

export function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decoder = decompressor(encoding);
  return new Promise((resolve, reject) => {
    const source: Readable = decoder === undefined ? request : request.pipe(decoder);
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      request.unpipe();
      request.pause();
      decoder?.destroy();
      reject(error);
    };
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        fail(
          new ClickHouseServerError(
            'QUERY_IS_TOO_LARGE',
            `The request body is larger than this server's limit of ${maxBytes} bytes (counted after decompression). ` +
              'Send smaller batches, or start the server with a larger maxBodyBytes',
          ),
        );
      } else {
        chunks.push(chunk);
      }
    });
    source.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, size));
    });
    // pipe() does not forward the request's own errors (a client that hangs up) to the decoder.
    request.once('error', fail);
    decoder?.once('error', (error) =>
      fail(
        new ClickHouseServerError(
          'CANNOT_DECOMPRESS',
          `Cannot decompress the request body sent with Content-Encoding: ${encoding}: ${error.message}`,
        ),
      ),
    );
  });
}

function decompressor(encoding: string): Transform | undefined {
  switch (encoding) {
    case 'identity':
    case '':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      throw new ClickHouseServerError(
        'NOT_IMPLEMENTED',
        `Unknown Content-Encoding '${encoding}' of the request body; this server supports gzip, deflate and br`,
      );
  }
}
