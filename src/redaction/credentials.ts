/**
 * Credentials that instrumentations and raw request dumps carry, removed before anything is
 * stored: values of credential-like JSON keys and headers (Authorization, api-key, x-api-key,
 * ...), and key shapes wherever they appear (OpenAI `sk-`, Anthropic `sk-ant-`, Google `AIza`,
 * AWS access key ids, bearer tokens).
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';

export const REDACTED = '[REDACTED]';

// Names that make a JSON member or an attribute a credential.
const CREDENTIAL_NAME = /authorization|api[-_]?key|access[-_]?token|refresh[-_]?token|client[-_]?secret|secret[-_]?key|password|cookie/i;

// A JSON member with a string value, its key short enough to be a header or field name. Only
// matched when a credential name occurs in the text at all, and linear: no lazy scans.
const STRING_MEMBER = /"((?:[^"\\\n]|\\.){1,64})"(\s*:\s*)"(?:[^"\\]|\\.)*"/g;

const SECRET_SHAPES = new RegExp(
  [
    String.raw`\bsk-ant-[A-Za-z0-9_-]{8,}`,
    String.raw`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}`,
    String.raw`\bAIza[0-9A-Za-z_-]{30,}`,
    String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
    String.raw`\bxai-[A-Za-z0-9]{20,}`,
    String.raw`\bgsk_[A-Za-z0-9]{20,}`,
    String.raw`(?<=\b[Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}`,
  ].join('|'),
  'g',
);

// Cheap pre-check for the shapes: most texts contain none of these prefixes.
const SHAPE_MARKERS = /sk-|AIza|AKIA|ASIA|xai-|gsk_|[Bb]earer/;
/** Secret-shaped values (keys, bearer tokens) anywhere in the text. */
export function redactSecretShapes(text: string): string {
  return text.length >= 8 && SHAPE_MARKERS.test(text) ? text.replace(SECRET_SHAPES, REDACTED) : text;
}

/** Secret shapes, and the values of credential-named members of JSON documents (headers, raw request dumps). */
export function redactSecrets(text: string): string {
  let out = text;
  if (CREDENTIAL_NAME.test(out)) {
    out = out.replace(STRING_MEMBER, (member: string, key: string, separator: string) =>
      CREDENTIAL_NAME.test(key) ? `"${key}"${separator}"${REDACTED}"` : member,
    );
  }
  return redactSecretShapes(out);
}

const CREDENTIAL_KEY = /(?:^|[._-])(?:authorization|api[-_]?key|x-api-key|access[-_]?token|secret|password|cookie)$/i;

// Attributes that hold raw documents (request dumps, headers), where credential-named members
// occur; message content gets the cheaper scan for secret shapes only.
const RAW_DOCUMENT_KEY = /^llm_traces\.\w+_json$|^(input|output)\.value$|header|^http\.(request|response)\./;

/** What an attribute key says about its value: a credential, a raw document, or anything else. */
type KeyClass = 'credential' | 'document' | 'other';

// Attribute keys repeat on every span: each is classified once.
const keyClasses = new Map<string, KeyClass>();

function classifyKey(key: string): KeyClass {
  let keyClass = keyClasses.get(key);
  if (keyClass === undefined) {
    keyClass = CREDENTIAL_KEY.test(key) ? 'credential' : RAW_DOCUMENT_KEY.test(key) ? 'document' : 'other';
    if (keyClasses.size < 10_000) keyClasses.set(key, keyClass);
  }
  return keyClass;
}

function isCredentialKey(key: string): boolean {
  return classifyKey(key) === 'credential';
}

/** An attribute map with credential-named keys and secret-shaped values redacted. */
export function redactAttributes(attributes: Record<string, string>): Record<string, string> {
  for (const key in attributes) {
    const value = attributes[key]!;
    if (isCredentialKey(key)) attributes[key] = REDACTED;
    else attributes[key] = redactSecrets(value);
  }
  return attributes;
}

/**
 * Typed span attributes with secrets redacted, for everything built from them; the same object
 * when nothing needed redacting (the usual case), so no copy is made.
 */
export function redactTypedAttributes(attributes: Attributes): Attributes {
  let out: Attributes | undefined;
  for (const key in attributes) {
    const value = attributes[key];
    let redacted: AttributeValue | undefined = value;
    const keyClass = classifyKey(key);
    if (value !== undefined && keyClass === 'credential') redacted = REDACTED;
    else if (typeof value === 'string') redacted = keyClass === 'document' ? redactSecrets(value) : redactSecretShapes(value);
    else if (Array.isArray(value) && value.some((item) => typeof item === 'string')) {
      const items = (value as unknown[]).map((item) => (typeof item === 'string' ? redactSecrets(item) : item));
      if (items.some((item, i) => item !== value[i])) redacted = items as AttributeValue;
    }
    if (redacted !== value) (out ??= { ...attributes })[key] = redacted;
  }
  return out ?? attributes;
}
