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
