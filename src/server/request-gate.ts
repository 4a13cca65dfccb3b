/**
 * Who may make a request, decided once for every route (the ClickHouse interface, /api/, the
 * viewer's files): the Host header must name this server (a DNS-rebinding page's does not), a
 * browser request must come from this server's own pages (Origin, Sec-Fetch-Site), and the
 * request must carry credentials or the browser session cookie. The server sends no CORS headers,
 * so a browser never lets another origin read an answer either.
 *
 * The browser session works as Jupyter's: when a password is required, the server makes a random
 * token and prints `http://HOST:PORT/?token=...`; opening it sets an HttpOnly, SameSite=Strict
 * cookie and redirects to the same page without the token. The cookie stands for the person who
 * started the server (every organization).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { networkInterfaces, hostname } from 'node:os';
import { digest, isLoopbackHost, requestCredentials, type UserTable } from './auth.js';
import { ClickHouseServerError } from './server-error.js';
import type { Principal } from './statement-guard.js';

export interface GateOptions {
  users: UserTable;
  /** The address the server listens on (`127.0.0.1`, `0.0.0.0`, a LAN address, ...). */
  listenHost: string;
  port: number;
  /** More names the server answers to in the Host header (`--allow-host`), e.g. a proxy's. */
  extraHosts: readonly string[];
  /** More origins whose pages may call the server (`--allow-origin`), e.g. a dev server proxying to it. */
  extraOrigins: readonly string[];
  /** Who the browser session stands for. */
  owner: string;
}

export interface GateAdmission {
  principal: Principal;
  /** How the request proved who it is: ClickHouse credentials, the browser cookie, or nothing (no password configured). */
  via: 'credentials' | 'session' | 'open';
}

export interface Login {
  location: string;
  cookie: string;
}

const SAFE_METHODS = new Set(['GET', 'HEAD']);
const TOKEN_PARAMETER = 'token';

export class RequestGate {
  /** The browser session's secret, made only when a password is required. */
  readonly token: string | undefined;
  private readonly hosts: ReadonlySet<string>;
  private readonly origins: ReadonlySet<string>;
  private readonly cookieName: string;

  constructor(private readonly options: GateOptions) {
    this.token = options.users.passwordRequired ? randomBytes(24).toString('base64url') : undefined;
    this.hosts = new Set(allowedHostNames(options).map((name) => withPort(name, options.port)));
    this.origins = new Set([...[...this.hosts].map((host) => `http://${host}`), ...options.extraOrigins.map((o) => o.toLowerCase())]);
    // Cookies are shared by every port of a host: the name keeps two servers' sessions apart.
    this.cookieName = `llm_traces_session_${options.port}`;
  }

  get passwordRequired(): boolean {
    return this.token !== undefined;
  }

  /** The address to print: it logs the browser in. */
  loginUrl(baseUrl: string): string {
    return this.token === undefined ? `${baseUrl}/` : `${baseUrl}/?${TOKEN_PARAMETER}=${this.token}`;
  }

  /**
   * Host, Origin and Sec-Fetch-Site: refuses what a web page of another origin, or a page whose
   * name was rebound to this machine, could send. Non-browser clients send no Origin and no
   * Sec-Fetch-* headers and pass. A top-level GET navigation to a page (a link from elsewhere, the
   * sign-in address opened from a file) passes too: it carries no session cookie (SameSite=Strict)
   * and gets only the viewer's static page, whose own requests are then same-origin.
   */
  checkOrigin(headers: IncomingHttpHeaders, pageNavigation = false): void {
    const given = single(headers.host)?.toLowerCase();
    const host = given === undefined || /:\d+$/.test(given) ? given : `${given}:80`;
    if (host === undefined || !this.hosts.has(host)) {
      throw refused(
        `The Host header '${(given ?? '').slice(0, 100)}' does not name this server; it answers to ${[...this.hosts].join(', ')}. ` +
          'A page that reaches it through another name (DNS rebinding) is refused; start it with --allow-host NAME to add a name',
      );
    }
    const origin = single(headers.origin);
    if (origin !== undefined) {
      if (!this.origins.has(origin.toLowerCase())) {
        throw refused(`Requests from pages of other origins (${origin.slice(0, 100)}) are refused; this server answers its own pages only`);
      }
      return;
    }
    const site = single(headers['sec-fetch-site']);
    const navigation =
      pageNavigation && single(headers['sec-fetch-mode']) === 'navigate' && single(headers['sec-fetch-dest']) === 'document';
    if (site !== undefined && site !== 'same-origin' && site !== 'none' && !navigation) {
      throw refused(`Cross-site browser requests (Sec-Fetch-Site: ${site.slice(0, 20)}) are refused`);
    }
  }

  /** A `?token=` visit: the cookie to set and where to go, or an error for a wrong token. */
  login(method: string, url: URL): Login | undefined {
    const given = url.searchParams.get(TOKEN_PARAMETER);
    if (given === null || !SAFE_METHODS.has(method) || url.searchParams.has('query')) return undefined;
    if (this.token === undefined || !sameSecret(given, this.token)) {
      throw new ClickHouseServerError(
        'AUTHENTICATION_FAILED',
        'This token is not the server\u2019s: open the address llm-traces serve printed when it started',
      );
    }
    const rest = new URLSearchParams([...url.searchParams].filter(([name]) => name !== TOKEN_PARAMETER));
    const search = rest.size > 0 ? `?${rest}` : '';
    return {
      location: `${url.pathname}${search}`,
      cookie: `${this.cookieName}=${this.token}; Path=/; HttpOnly; SameSite=Strict`,
    };
  }

  /** The request's principal: its ClickHouse credentials, else the session cookie, else (no password configured) the default user. */
  authenticate(method: string, headers: IncomingHttpHeaders, params: URLSearchParams): GateAdmission {
    const cookie = this.sessionCookie(headers);
    if (cookie !== undefined && !hasCredentials(headers, params)) {
      if (this.token === undefined || !sameSecret(cookie, this.token)) {
        throw new ClickHouseServerError(
          'AUTHENTICATION_FAILED',
          'The session cookie is not this server\u2019s; open the address it printed',
        );
      }
      // A state-changing request on the strength of a cookie must say it comes from this server's page.
      if (!SAFE_METHODS.has(method) && headers.origin === undefined) {
        throw refused(`A ${method} request authenticated by the session cookie needs an Origin header`);
      }
      return { principal: { user: this.options.owner, organizations: undefined }, via: 'session' };
    }
    const principal = this.options.users.authenticate(headers, params);
    return { principal, via: this.passwordRequired ? 'credentials' : 'open' };
  }

  private sessionCookie(headers: IncomingHttpHeaders): string | undefined {
    for (const part of (single(headers.cookie) ?? '').split(';')) {
      const [name, ...value] = part.trim().split('=');
      if (name === this.cookieName) return value.join('=');
    }
    return undefined;
  }
}

/** The names the Host header may carry: loopback ones, the listen address, and for a wildcard address this machine's. */
function allowedHostNames({ listenHost, extraHosts }: GateOptions): string[] {
  const names = ['localhost', '127.0.0.1', '::1', ...extraHosts];
  if (listenHost === '0.0.0.0' || listenHost === '::') {
    names.push(hostname());
    for (const addresses of Object.values(networkInterfaces())) names.push(...(addresses ?? []).map((a) => a.address));
  } else if (!isLoopbackHost(listenHost)) {
    names.push(listenHost);
  }
  return names;
}

function withPort(name: string, port: number): string {
  const bare = name.replace(/^\[|\]$/g, '').toLowerCase();
  return `${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}

function hasCredentials(headers: IncomingHttpHeaders, params: URLSearchParams): boolean {
  const given = requestCredentials(headers, params);
  return headers.authorization !== undefined || headers['x-clickhouse-user'] !== undefined || given.password !== '' || params.has('user');
}

function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function refused(message: string): ClickHouseServerError {
  return new ClickHouseServerError('ACCESS_DENIED', message);
}
