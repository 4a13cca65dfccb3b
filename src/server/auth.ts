/**
 * Credentials the way a ClickHouse server accepts them over HTTP: `X-ClickHouse-User`/`X-ClickHouse-Key`
 * headers, HTTP Basic auth, or `user`/`password` URL parameters (one method per request). A request
 * with none of them is the user `default` with an empty password, as on a real server.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { ClickHouseServerError } from './server-error.js';

export interface Credentials {
  user: string;
  password: string;
}

export const DEFAULT_USER = 'default';

/** Throws AUTHENTICATION_FAILED unless the request carries exactly the expected credentials. */
export function authenticate(headers: IncomingHttpHeaders, params: URLSearchParams, expected: Credentials): void {
  const given = requestCredentials(headers, params);
  if (!credentialsMatch(given, expected)) {
    throw new ClickHouseServerError(
      'AUTHENTICATION_FAILED',
      `${given.user}: Authentication failed: password is incorrect, or there is no user with such name`,
    );
  }
}

export function requestCredentials(headers: IncomingHttpHeaders, params: URLSearchParams): Credentials {
  const headerUser = single(headers['x-clickhouse-user']);
  const headerKey = single(headers['x-clickhouse-key']);
  const authorization = single(headers.authorization);
  const paramUser = params.get('user');
  const paramPassword = params.get('password');
  const viaHeaders = headerUser !== undefined || headerKey !== undefined;
  const viaParams = paramUser !== null || paramPassword !== null;
  const methods = [viaHeaders, authorization !== undefined, viaParams].filter(Boolean).length;
  if (methods > 1) {
    throw new ClickHouseServerError(
      'AUTHENTICATION_FAILED',
      'Invalid authentication: it is not allowed to combine X-ClickHouse-User/X-ClickHouse-Key headers, ' +
        'the Authorization header and user/password URL parameters; use one of them',
    );
  }
  if (authorization !== undefined) return basicCredentials(authorization);
  if (viaHeaders) return { user: headerUser || DEFAULT_USER, password: headerKey ?? '' };
  return { user: paramUser || DEFAULT_USER, password: paramPassword ?? '' };
}

function basicCredentials(authorization: string): Credentials {
  const [scheme, token = ''] = authorization.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() !== 'basic') {
    throw new ClickHouseServerError(
      'AUTHENTICATION_FAILED',
      `Invalid authentication: the '${scheme}' HTTP Authorization scheme is not supported by this server; use Basic`,
    );
  }
  const decoded = Buffer.from(token, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return { user: decoded || DEFAULT_USER, password: '' };
  return { user: decoded.slice(0, colon) || DEFAULT_USER, password: decoded.slice(colon + 1) };
}

/** Compares digests so the time taken does not depend on where the strings differ. */
export function credentialsMatch(given: Credentials, expected: Credentials): boolean {
  const userMatches = timingSafeEqual(digest(given.user), digest(expected.user));
  const passwordMatches = timingSafeEqual(digest(given.password), digest(expected.password));
  return userMatches && passwordMatches;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** True for names and addresses that only this machine can reach. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./.test(bare);
  return false;
}

/** A server reachable from other machines must not accept the password-less `default` user. */
export function assertSafeToListen(host: string, password: string): void {
  if (password === '' && !isLoopbackHost(host)) {
    throw new Error(
      `llm-traces serve: refusing to listen on ${host} without credentials, because anyone who can reach it could read and ` +
        'write the store. Set a password (and optionally a user), or listen on 127.0.0.1.',
    );
  }
}
