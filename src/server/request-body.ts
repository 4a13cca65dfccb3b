/**
 * Reads a request body into memory, decompressing it by its Content-Encoding, and refuses bodies
 * larger than the limit (counted after decompression, so a small compressed bomb cannot expand
 * past it) or than the server's share of body memory allows. An uncompressed body of known length
 * is read into one buffer of that size, with no second copy. On refusal the socket is left intact,
 * so the caller can still send the error.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { BodyShare } from './admission.js';
import { ClickHouseServerError } from './server-error.js';

/** For small capped bodies read inside a slot (the viewer's what-if): slots already bound their memory. */
const UNSHARED: BodyShare = { take: () => undefined, release: () => undefined };

export function readRequestBody(request: IncomingMessage, maxBytes: number, share: BodyShare = UNSHARED): Promise<Buffer> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decoder = decompressor(encoding);
  const declared = Number(request.headers['content-length']);
  if (decoder === undefined && Number.isSafeInteger(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const known = decoder === undefined && Number.isSafeInteger(declared) && declared > 0 && declared <= maxBytes;
  // The whole declared length counts against the budget before it is allocated, not as it arrives.
  if (known) share.take(declared);
  const whole = known ? Buffer.allocUnsafe(declared) : undefined;
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
        fail(tooLarge(maxBytes));
        return;
      }
      if (whole !== undefined) {
        chunk.copy(whole, size - chunk.length);
        return;
      }
      try {
        share.take(chunk.length);
      } catch (error) {
        fail(error);
        return;
      }
      chunks.push(chunk);
    });
    source.once('end', () => {
      if (settled) return;
      settled = true;
      resolve(whole !== undefined ? whole.subarray(0, size) : Buffer.concat(chunks, size));
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

function tooLarge(maxBytes: number): ClickHouseServerError {
  return new ClickHouseServerError(
    'QUERY_IS_TOO_LARGE',
    `The request body is larger than this server's limit of ${maxBytes} bytes (counted after decompression). ` +
      'Send smaller batches, or start the server with a larger maxBodyBytes',
  );
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
