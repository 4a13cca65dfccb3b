/**
 * Generated text with credentials of every shape embedded in prose, JSON and near misses, against
 * what each must become: the secret replaced, what says a credential follows kept, the rest as is.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { REDACTED, redactSecretShapes, redactSecrets } from '../../../src/redaction/credentials.js';

const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });

const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DIGITS = '0123456789';
const ALNUM = LOWER + UPPER + DIGITS;
const URL_SAFE = ALNUM + '_-';
const BASE64 = ALNUM + '+/';

/** A piece of text: as written, and as it must be stored. */
interface Piece {
  text: string;
  redacted: string;
}

const whole = (secret: fc.Arbitrary<string>): fc.Arbitrary<Piece> => secret.map((text) => ({ text, redacted: REDACTED }));
const prefixed = (prefix: fc.Arbitrary<string>, secret: fc.Arbitrary<string>, suffix = ''): fc.Arbitrary<Piece> =>
  fc.tuple(prefix, secret).map(([p, s]) => ({ text: p + s + suffix, redacted: p + REDACTED + suffix }));
/** Withs a digit somewhere, as the shapes that need one (Basic credentials, short named values). */
const withDigit = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.tuple(chars(alphabet, min - 1, max - 1), fc.constantFrom(...DIGITS), fc.nat()).map(([s, d, at]) => {
    const i = at % (s.length + 1);
    return s.slice(0, i) + d + s.slice(i);
  });

/** Every credential shape the redaction knows, with its expected result. */
const SHAPES: Record<string, fc.Arbitrary<Piece>> = {
  anthropic: whole(chars(URL_SAFE, 8, 40).map((s) => `sk-ant-api03-${s}`)),
  openai: whole(fc.tuple(fc.constantFrom('', 'proj-', 'svcacct-', 'admin-'), chars(URL_SAFE, 16, 48)).map(([p, s]) => `sk-${p}${s}`)),
  stripe: whole(
    fc.tuple(fc.constantFrom('sk', 'rk'), fc.constantFrom('live', 'test'), chars(ALNUM, 16, 40)).map(([a, b, s]) => `${a}_${b}_${s}`),
  ),
  google: whole(chars(URL_SAFE, 30, 40).map((s) => `AIza${s}`)),
  aws: whole(fc.tuple(fc.constantFrom('AKIA', 'ASIA'), chars(UPPER + DIGITS, 16, 16)).map(([p, s]) => p + s)),
  xai: whole(chars(ALNUM, 20, 40).map((s) => `xai-${s}`)),
  groq: whole(chars(ALNUM, 20, 40).map((s) => `gsk_${s}`)),
  github: whole(fc.tuple(fc.constantFrom(...'pousr'), chars(ALNUM, 30, 40)).map(([k, s]) => `gh${k}_${s}`)),
  githubFineGrained: whole(chars(ALNUM + '_', 40, 60).map((s) => `github_pat_${s}`)),
  gitlab: whole(chars(URL_SAFE, 20, 30).map((s) => `glpat-${s}`)),
  slack: whole(fc.tuple(fc.constantFrom(...'abposr'), chars(ALNUM + '-', 10, 40)).map(([k, s]) => `xox${k}-${s}`)),
  jwt: whole(fc.tuple(chars(URL_SAFE, 8, 30), chars(URL_SAFE, 8, 60), chars(URL_SAFE, 8, 43)).map(([a, b, c]) => `eyJ${a}.eyJ${b}.${c}`)),
  pem: whole(
    fc
      .tuple(
        fc.constantFrom('RSA ', 'EC ', ''),
        fc.array(chars(BASE64, 8, 64), { minLength: 1, maxLength: 4 }),
        fc.constantFrom('\n', '\\n'),
      )
      .map(([kind, lines, nl]) => `-----BEGIN ${kind}PRIVATE KEY-----${nl}${lines.join(nl)}${nl}-----END ${kind}PRIVATE KEY-----`),
  ),
  bearer: prefixed(fc.constantFrom('Bearer ', 'bearer ', 'Bearer\t'), chars(ALNUM + '._~+/=-', 8, 60)),
  basicHeader: prefixed(fc.constantFrom('Authorization: Basic ', 'authorization="Basic ', "Authorization' = Basic "), chars(BASE64, 4, 40)),
  basic: prefixed(fc.constant('Basic '), withDigit(BASE64, 12, 40)),
  urlPassword: fc
    .tuple(fc.constantFrom('postgres', 'https', 'redis'), chars(LOWER, 1, 12), withDigit(ALNUM + '!$%*', 1, 24), chars(LOWER, 1, 12))
    .map(([scheme, user, password, host]) => ({
      text: `${scheme}://${user}:${password}@${host}.internal/db`,
      redacted: `${scheme}://${user}:${REDACTED}@${host}.internal/db`,
    })),
  queryCredential: fc
    .tuple(
      fc.constantFrom('api_key', 'apikey', 'token', 'access_token', 'x-amz-signature', 'sig', 'auth', 'secrets', 'password'),
      chars(ALNUM + '%.-', 1, 40),
    )
    .map(([name, value]) => ({
      text: `https://api.example.com/v1/items?page=2&${name}=${value}&limit=10`,
      redacted: `https://api.example.com/v1/items?page=2&${name}=${REDACTED}&limit=10`,
    })),
  namedValue: fc
    .tuple(
      fc.constantFrom(
        'aws_secret_access_key',
        'SECRET_ACCESS_KEY',
        'private_key',
        'secret',
        'token',
        'Password',
        'passwd',
        'api-key',
        'apikey',
      ),
      // The separator, and the quote that closes the value.
      fc.constantFrom([' = ', ''], ['=', ''], [': ', ''], [':', ''], ['\\": \\"', '\\"'], ['": "', '"'], ["='", "'"]),
      fc.oneof(withDigit(ALNUM + '/+', 8, 30), chars(LOWER, 16, 30)),
    )
    .map(([name, [separator, close], value]) => ({
      text: `${name}${separator}${value}${close}`,
      redacted: `${name}${separator}${REDACTED}${close}`,
    })),
};

/** JSON members whose key names a credential: any value is removed (raw documents only). */
const credentialMember: fc.Arbitrary<Piece> = fc
  .tuple(
    fc.constantFrom(
      'authorization',
      'x-api-key',
      'Api-Key',
      'access_token',
      'refresh_token',
      'client_secret',
      'password',
      'cookie',
      'session_token',
    ),
    chars(LOWER + ' ', 0, 20),
  )
  .map(([key, value]) => ({ text: `{"${key}":"${value}","model":"gpt-4o"}`, redacted: `{"${key}":"${REDACTED}","model":"gpt-4o"}` }));

/** Text that must stay as it is: prose, JSON, and near misses of every shape. */
const NEAR_MISSES = [
  'risk-free',
  'task_id',
  'desk_top',
  'sk-short',
  'xoxb-',
  'AIza',
  'AKIA1234',
  'Asia',
  'a key point',
  'the token count',
  'secret: no',
  'password: short',
  'token=abc',
  '{"max_tokens":1024,"prompt_tokens_details":{"cached_tokens":0}}',
  '{"role":"user","content":"what is a skeleton key?"}',
  '{\\"query\\": \\"weather\\"}',
  'https://example.com/search?q=openai&page=2',
  'mail alice@example.com',
  'Basic understanding',
  'bearer of news',
  'eyJ.eyJ',
  'ghp_short',
  'key=value pairs',
  '-----BEGIN CERTIFICATE-----',
  'x = y + 1',
  'Note: see above',
  'github_user',
];
const filler: fc.Arbitrary<Piece> = fc
  .oneof(chars(LOWER + ' .,', 1, 40), fc.constantFrom(...NEAR_MISSES))
  .map((text) => ({ text, redacted: text }));

const join = (pieces: readonly Piece[]): Piece => ({
  text: pieces.map((p) => p.text).join(' '),
  redacted: pieces.map((p) => p.redacted).join(' '),
});

describe('credential redaction over a generated corpus', () => {
  it.each(Object.keys(SHAPES))('redacts %s wherever it appears, and nothing else', (shape) => {
    const text = fc.tuple(fc.array(filler, { maxLength: 6 }), SHAPES[shape]!, fc.array(filler, { maxLength: 6 }));
    fc.assert(
      fc.property(text, ([before, secret, after]) => {
        const { text, redacted } = join([...before, secret, ...after]);
        expect(redactSecretShapes(text)).toBe(redacted);
        expect(redactSecrets(text)).toBe(redacted);
      }),
      { numRuns: 300 },
    );
  });

  it('redacts every credential of a text mixing many, in prose and near misses', () => {
    const piece = fc.oneof(filler, ...Object.values(SHAPES));
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 20 }), (pieces) => {
        const { text, redacted } = join(pieces);
        expect(redactSecrets(text)).toBe(redacted);
      }),
      { numRuns: 1000 },
    );
  });

  it('leaves text without credentials as it is', () => {
    fc.assert(
      fc.property(fc.array(filler, { minLength: 1, maxLength: 30 }), (pieces) => {
        const { text } = join(pieces);
        expect(redactSecrets(text)).toBe(text);
        expect(redactSecretShapes(text)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('removes credential-named members of raw documents, and only there', () => {
    fc.assert(
      fc.property(fc.array(filler, { maxLength: 4 }), credentialMember, ([...before], member) => {
        const { text, redacted } = join([...before, member]);
        expect(redactSecrets(text)).toBe(redacted);
        expect(redactSecretShapes(text)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('finds a credential inside a large JSON document, however far in', () => {
    fc.assert(
      fc.property(
        fc.array(filler, { minLength: 50, maxLength: 200 }),
        fc.oneof(...Object.values(SHAPES)),
        fc.nat(),
        (pieces, secret, at) => {
          const i = at % (pieces.length + 1);
          const content = join([...pieces.slice(0, i), secret, ...pieces.slice(i)]);
          // As a JSON string value: the secret's own quotes and backslashes escaped, as in message JSON.
          const document = (text: string) => JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: text }] }]);
          const escaped = JSON.stringify(content.text).slice(1, -1);
          if (escaped !== content.text) return; // pieces with quotes or backslashes change when escaped
          expect(redactSecretShapes(document(content.text))).toBe(document(content.redacted));
        },
      ),
      { numRuns: 200 },
    );
  });
});
