/**
 * Form fields of a multipart/form-data body. `@clickhouse/client` sends `query` and `param_<name>`
 * this way when query parameters are too long for a URL (`use_multipart_params`); ClickHouse reads
 * such fields like URL parameters. File parts are ClickHouse "external tables", which this server
 * does not support.
 */
import { ClickHouseServerError } from './server-error.js';

export function isMultipart(contentType: string | undefined): boolean {
  return contentType?.toLowerCase().startsWith('multipart/form-data') ?? false;
}

export function multipartFields(body: Buffer, contentType: string): Array<[name: string, value: string]> {
  const boundary = /boundary=(?:"([^"]+)"|([^\s;]+))/i.exec(contentType);
  const token = boundary?.[1] ?? boundary?.[2];
  if (token === undefined) throw malformed('the Content-Type header has no boundary');
  const delimiter = Buffer.from(`--${token}`);
  const fields: Array<[string, string]> = [];
  let position = body.indexOf(delimiter);
  if (position < 0) throw malformed('the body does not contain the boundary');
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === '--') return fields;
    const headersStart = skipLineBreak(body, position);
    const headersEnd = body.indexOf('\r\n\r\n', headersStart);
    if (headersEnd < 0) throw malformed('a part has no header terminator');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headersEnd + 4);
    if (next < 0) throw malformed('the closing boundary is missing');
    const headers = body.subarray(headersStart, headersEnd).toString('utf8');
    fields.push([partName(headers), body.subarray(headersEnd + 4, next).toString('utf8')]);
    position = next + 2;
  }
}

function skipLineBreak(body: Buffer, position: number): number {
  return body.subarray(position, position + 2).toString() === '\r\n' ? position + 2 : position;
}

function partName(headers: string): string {
  const disposition = /^content-disposition:(.*)$/im.exec(headers)?.[1] ?? '';
  if (/\bfilename\*?=/i.test(disposition)) {
    throw new ClickHouseServerError(
      'NOT_IMPLEMENTED',
      'External tables (file parts of a multipart/form-data request) are not supported by the embedded ClickHouse server',
    );
  }
  const name = /\bname="([^"]*)"/i.exec(disposition)?.[1] ?? /\bname=([^\s;]+)/i.exec(disposition)?.[1];
  if (name === undefined) throw malformed('a part has no name in its Content-Disposition header');
  return name;
}

function malformed(reason: string): ClickHouseServerError {
  return new ClickHouseServerError('BAD_ARGUMENTS', `Malformed multipart/form-data request body: ${reason}`);
}
