/**
 * Credentials the way a ClickHouse server accepts them over HTTP: `X-ClickHouse-User`/`X-ClickHouse-Key`
 * headers, HTTP Basic auth, or `user`/`password` URL parameters (one method per request). A request
 * with none of them is the user `default` with an empty password, as on a real server.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { isIP } from 'node:net';
import { ClickHouseServerError } from './server-error.js';
import type { Principal } from './statement-guard.js';

export interface Credentials {
  user: string;
  password: string;
}

export const DEFAULT_USER = 'default';

/** A credential the server accepts, with what it may read. */
export interface User {
  name: string;
  /** SHA-256 of the password (a users file may give only this). */
  passwordSha256: Buffer;
  /** The organizations this credential may read; undefined: every one. */
  organizations: readonly string[] | undefined;
}

export function userWithPassword(name: string, password: string, organizations?: readonly string[]): User {
  return { name, passwordSha256: digest(password), organizations };
}

const EMPTY_PASSWORD = digest('');

/** The credentials a server accepts: the --user/--password pair and the users file's entries. */
export class UserTable {
  private readonly users: ReadonlyMap<string, User>;

  constructor(users: readonly User[]) {
    this.users = new Map(users.map((user) => [user.name, user]));
  }

  /** True when some credential needs a password: a request without one is then refused. */
  get passwordRequired(): boolean {
    return [...this.users.values()].some((user) => !user.passwordSha256.equals(EMPTY_PASSWORD));
  }

  /** The principal of a request's credentials; throws AUTHENTICATION_FAILED for any other. */
  authenticate(headers: IncomingHttpHeaders, params: URLSearchParams): Principal {
    const given = requestCredentials(headers, params);
    const user = this.users.get(given.user);
    // An unknown name costs the same comparison as a wrong password.
    const matches = timingSafeEqual(digest(given.password), user?.passwordSha256 ?? EMPTY_PASSWORD) && user !== undefined;
    if (!matches) {
      throw new ClickHouseServerError(
        'AUTHENTICATION_FAILED',
        `${given.user}: Authentication failed: password is incorrect, or there is no user with such name`,
      );
    }
    return { user: user.name, organizations: user.organizations };
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

export function digest(value: string): Buffer {
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
export function assertSafeToListen(host: string, passwordRequired: boolean): void {
  if (!passwordRequired && !isLoopbackHost(host)) {
    throw new Error(
      `llm-traces serve: refusing to listen on ${host} without credentials, because anyone who can reach it could read and ` +
        'write the store. Set a password (and optionally a user), or listen on 127.0.0.1.',
    );
  }
}
