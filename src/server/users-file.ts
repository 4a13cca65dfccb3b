/**
 * `llm-traces serve --users-file FILE`: the credentials the server accepts, each optionally bound
 * to organizations. A JSON file, so it needs no parser of its own:
 *
 *   { "users": [
 *       { "name": "acme-app", "password_sha256_hex": "5e88...", "organizations": ["acme"] },
 *       { "name": "admin", "password": "..." } ] }
 *
 * A user without `organizations` reads every organization.
 */
import { readFileSync } from 'node:fs';
import { userWithPassword, type User } from './auth.js';

export function readUsersFile(path: string): User[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`llm-traces serve: cannot read the users file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseUsers(parsed, path);
}

export function parseUsers(parsed: unknown, source: string): User[] {
  const fail = (why: string) => new Error(`llm-traces serve: the users file ${source} ${why}`);
  const users = (parsed as { users?: unknown } | null)?.users;
  if (!Array.isArray(users) || users.length === 0) throw fail('must be a JSON object with a non-empty "users" array');
  const names = new Set<string>();
  return users.map((entry: unknown, index) => {
    const where = `users[${index}]`;
    if (typeof entry !== 'object' || entry === null) throw fail(`has ${where} that is not an object`);
    const { name, password, password_sha256_hex: hash, organizations, ...rest } = entry as Record<string, unknown>;
    const unknown = Object.keys(rest);
    if (unknown.length > 0)
      throw fail(`has unknown field ${unknown[0]} in ${where}; use name, password or password_sha256_hex, organizations`);
    if (typeof name !== 'string' || name === '') throw fail(`has ${where} without a "name"`);
    if (names.has(name)) throw fail(`names the user ${name} twice`);
    names.add(name);
    if ((password === undefined) === (hash === undefined))
      throw fail(`must give ${name} exactly one of "password" and "password_sha256_hex"`);
    if (password !== undefined && (typeof password !== 'string' || password === ''))
      throw fail(`has an empty or non-string password for ${name}`);
    if (hash !== undefined && (typeof hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(hash))) {
      throw fail(`has a password_sha256_hex for ${name} that is not 64 hex digits (echo -n PASSWORD | sha256sum)`);
    }
    if (organizations !== undefined && (!Array.isArray(organizations) || !organizations.every((org) => typeof org === 'string'))) {
      throw fail(`has "organizations" for ${name} that is not a list of strings`);
    }
    const orgs = organizations as string[] | undefined;
    return typeof password === 'string'
      ? userWithPassword(name, password, orgs)
      : { name, passwordSha256: Buffer.from(hash as string, 'hex'), organizations: orgs };
  });
}
