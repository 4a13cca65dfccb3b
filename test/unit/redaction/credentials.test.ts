import { describe, expect, it } from 'vitest';
import { REDACTED, redactAttributes, redactSecrets, redactTypedAttributes } from '../../../src/redaction/credentials.js';

describe('redactSecrets', () => {
  it.each([
    ['an OpenAI key', 'key sk-proj-abcdefghijklmnopqrstuv used', `key ${REDACTED} used`],
    ['an Anthropic key', 'x sk-ant-api03-abcdefgh y', `x ${REDACTED} y`],
    ['a Google key', 'AIzaSyA1234567890abcdefghijklmnopqrstu', REDACTED],
    ['an AWS access key id', 'id AKIAABCDEFGHIJKLMNOP', `id ${REDACTED}`],
    ['a bearer token', 'Authorization: Bearer abc.def.ghi-123', `Authorization: Bearer ${REDACTED}`],
    ['a credential-named JSON member', '{"api_key":"plain","model":"gpt-4o"}', `{"api_key":"${REDACTED}","model":"gpt-4o"}`],
  ])('removes %s', (_what, text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
  });

  it('leaves text without secrets as it is', () => {
    const text = '{"messages":[{"role":"user","content":"what is a skeleton key?"}],"max_tokens":10}';
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('redactAttributes', () => {
  it('redacts credential-named keys whole and secret shapes in other values', () => {
    expect(redactAttributes({ 'http.request.header.authorization': 'Basic abc', note: 'sk-abcdefghijklmnopqrstuv', ok: 'fine' })).toEqual({
      'http.request.header.authorization': REDACTED,
      note: REDACTED,
      ok: 'fine',
    });
  });
});

describe('redactTypedAttributes', () => {
  it('returns the same object when nothing needs redacting', () => {
    const attributes = { 'gen_ai.request.model': 'gpt-4o', 'gen_ai.usage.input_tokens': 10 };
    expect(redactTypedAttributes(attributes)).toBe(attributes);
  });

  it('redacts raw documents, string arrays and credential keys, keeping other types', () => {
    const attributes = {
      'llm_traces.request_json': '{"headers":{"x-api-key":"k-1"}}',
      'some.list': ['sk-abcdefghijklmnopqrstuv', 'plain'],
      'my.api_key': 12345,
      count: 3,
    };
    expect(redactTypedAttributes(attributes)).toEqual({
      'llm_traces.request_json': `{"headers":{"x-api-key":"${REDACTED}"}}`,
      'some.list': [REDACTED, 'plain'],
      'my.api_key': REDACTED,
      count: 3,
    });
    expect(attributes['my.api_key']).toBe(12345);
  });
});

describe('more credential shapes (issue 14)', () => {
  const ghp = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
  it.each([
    ['a GitHub token', `use ${ghp} now`, `use ${REDACTED} now`],
    ['a fine-grained GitHub token', 'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTU', REDACTED],
    ['a GitLab token', 'glpat-Ab3dEf6hIj9kLm2nOp5q', REDACTED],
    ['a Slack token', 'xoxb-1234567890-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx', REDACTED],
    ['a Stripe secret key', 'sk_live_51H8abcdefghijklmnopqrstuv', REDACTED],
    ['a Stripe restricted key', 'rk_test_51H8abcdefghijklmnopqrstuv', REDACTED],
    [
      'a JWT',
      'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U ok',
      `token ${REDACTED} ok`,
    ],
    [
      'a PEM private key (JSON-escaped newlines)',
      'key: -----BEGIN RSA PRIVATE KEY-----\\nMIIEowIBAAKCAQEA\\n-----END RSA PRIVATE KEY----- done',
      `key: ${REDACTED} done`,
    ],
    [
      'Basic auth in message text',
      'send Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l please',
      `send Authorization: Basic ${REDACTED} please`,
    ],
    [
      'a credential in a URL query',
      'https://api.example.com/v1?api_key=abc123xyz&token=t0k3n&page=2',
      `https://api.example.com/v1?api_key=${REDACTED}&token=${REDACTED}&page=2`,
    ],
    ['a password in a URL', 'postgres://admin:hunter2secret@db.internal:5432/app', `postgres://admin:${REDACTED}@db.internal:5432/app`],
    [
      'aws_secret_access_key in text',
      'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      `aws_secret_access_key = ${REDACTED}`,
    ],
  ])('removes %s', (_what, text, redacted) => {
    expect(redactSecrets(text)).toBe(redacted);
  });

  it.each([
    ['aws_secret_access_key', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['private_key', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'],
    ['token', 'opaque-session-value-42'],
    ['secret', 's3cr3t-v4lue'],
  ])('removes the value of a JSON member named %s', (key, value) => {
    expect(redactSecrets(`{"${key}":"${value}","model":"gpt-4o"}`)).toBe(`{"${key}":"${REDACTED}","model":"gpt-4o"}`);
  });

  it.each([
    '{"max_tokens":1024,"prompt_tokens_details":{"cached_tokens":0}}',
    'a basic question about the secret of good token accounting: counting',
    'https://example.com/search?q=openai&page=2',
    'the keyword key=value pairs are fine',
    'Basic understanding of the problem',
  ])('leaves %j as it is', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it('redacts url.full with credentials in otel_traces attributes (typed attributes)', () => {
    expect(redactTypedAttributes({ 'url.full': 'https://x.io/a?api_key=abc123xyz&token=t0k3n' })).toEqual({
      'url.full': `https://x.io/a?api_key=${REDACTED}&token=${REDACTED}`,
    });
    expect(redactAttributes({ 'url.full': 'https://x.io/a?api_key=abc123xyz' })).toEqual({
      'url.full': `https://x.io/a?api_key=${REDACTED}`,
    });
    expect(redactTypedAttributes({ 'http.request.header.x-auth-token': 'abc', 'app.github.token': ghp })).toEqual({
      'http.request.header.x-auth-token': REDACTED,
      'app.github.token': REDACTED,
    });
  });
});
