import { describe, expect, it } from 'vitest';
import { UserTable, assertSafeToListen, isLoopbackHost, requestCredentials, userWithPassword } from '../../../src/server/auth.js';
import { ClickHouseServerError } from '../../../src/server/server-error.js';
import { resolveServerOptions } from '../../../src/server/server-options.js';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const none = new URLSearchParams();

describe('requestCredentials', () => {
  it('reads HTTP Basic auth, splitting at the first colon', () => {
    expect(requestCredentials({ authorization: basic('alice', 'pa:ss') }, none)).toEqual({ user: 'alice', password: 'pa:ss' });
  });

  it('reads the X-ClickHouse-User and X-ClickHouse-Key headers', () => {
    expect(requestCredentials({ 'x-clickhouse-user': 'bob', 'x-clickhouse-key': 'k' }, none)).toEqual({ user: 'bob', password: 'k' });
  });

  it('reads user and password URL parameters', () => {
    expect(requestCredentials({}, new URLSearchParams({ user: 'carol', password: 'p' }))).toEqual({ user: 'carol', password: 'p' });
  });

  it('is the default user with an empty password when none is given', () => {
    expect(requestCredentials({}, none)).toEqual({ user: 'default', password: '' });
    expect(requestCredentials({ authorization: basic('', '') }, none)).toEqual({ user: 'default', password: '' });
  });

  it('refuses two methods at once, as ClickHouse does', () => {
    const mixed = () => requestCredentials({ authorization: basic('a', 'b') }, new URLSearchParams({ password: 'c' }));
    expect(mixed).toThrow(ClickHouseServerError);
    expect(mixed).toThrow(/not allowed to combine/);
  });

  it('refuses an Authorization scheme other than Basic', () => {
    expect(() => requestCredentials({ authorization: 'Bearer abc' }, none)).toThrow(/'Bearer' HTTP Authorization scheme is not supported/);
  });
});

describe('UserTable.authenticate', () => {
  const users = new UserTable([userWithPassword('writer', 's3cret'), userWithPassword('acme-reader', 'r', ['acme'])]);

  it('accepts the configured credentials, with the organizations they are bound to', () => {
    expect(users.authenticate({ authorization: basic('writer', 's3cret') }, none)).toEqual({ user: 'writer', organizations: undefined });
    expect(users.authenticate({ 'x-clickhouse-user': 'acme-reader', 'x-clickhouse-key': 'r' }, none)).toEqual({
      user: 'acme-reader',
      organizations: ['acme'],
    });
  });

  it('answers a wrong password or an unknown user with AUTHENTICATION_FAILED naming the user only', () => {
    for (const [user, password] of [
      ['writer', 'guess'],
      ['nobody', 's3cret'],
    ]) {
      let thrown: unknown;
      try {
        users.authenticate({ authorization: basic(user!, password!) }, none);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ClickHouseServerError);
      expect(thrown).toMatchObject({ code: 516, type: 'AUTHENTICATION_FAILED' });
      expect((thrown as Error).message).toBe(`${user}: Authentication failed: password is incorrect, or there is no user with such name`);
      expect((thrown as Error).message).not.toContain(password);
    }
  });

  it('refuses a request without credentials when a password is configured', () => {
    expect(users.passwordRequired).toBe(true);
    expect(() => users.authenticate({}, none)).toThrow(/default: Authentication failed/);
  });

  it('lets the password-less default user in only when no password is configured', () => {
    const open = new UserTable([userWithPassword('default', '')]);
    expect(open.passwordRequired).toBe(false);
    expect(open.authenticate({}, none)).toEqual({ user: 'default', organizations: undefined });
  });
});

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  it.each(['0.0.0.0', '::', '192.168.1.10', '10.0.0.1', 'example.com', '::ffff:10.0.0.1'])('%s is not loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(false);
  });
});

describe('assertSafeToListen and resolveServerOptions', () => {
  it('refuses a non-loopback host without a password, saying how to fix it', () => {
    expect(() => assertSafeToListen('0.0.0.0', false)).toThrow(/refusing to listen on 0\.0\.0\.0 without credentials.*Set a password/);
    expect(() => resolveServerOptions({ path: '/tmp/x', host: '0.0.0.0', user: 'admin' })).toThrow(/without credentials/);
  });

  it('allows a non-loopback host with a password, and a loopback host without one', () => {
    expect(resolveServerOptions({ path: '/tmp/x', host: '0.0.0.0', password: 'p' }).users.map((user) => user.name)).toEqual(['default']);
    expect(resolveServerOptions({ path: '/tmp/x' })).toMatchObject({
      path: '/tmp/x',
      host: '127.0.0.1',
      port: 8123,
      owner: 'default',
      allowWrites: false,
      maxBodyBytes: 256 * 1024 * 1024,
      maxConcurrentQueries: 16,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      limits: { maxExecutionSeconds: 60, maxMemoryBytes: 2 * 1024 ** 3, maxResultBytes: 256 * 1024 ** 2 },
    });
  });

  it('drops the password-less owner when only a users file gives credentials', () => {
    const options = resolveServerOptions({ path: '/tmp/x', users: [userWithPassword('alice', 'a', ['acme'])] });
    expect(options.users.map((user) => user.name)).toEqual(['alice']);
  });

  it('names the option that is out of range', () => {
    expect(() => resolveServerOptions({ path: '/tmp/x', port: 70000 })).toThrow(/`port` must be an integer from 0 to 65535, got 70000/);
    expect(() => resolveServerOptions({ path: '/tmp/x', maxBodyBytes: 0 })).toThrow(/`maxBodyBytes`/);
    expect(() => resolveServerOptions({ path: '/tmp/x', maxConcurrentQueries: 1.5 })).toThrow(/`maxConcurrentQueries`/);
    expect(() => resolveServerOptions({ path: ' ' })).toThrow(/`path` must name the data directory/);
  });
});
