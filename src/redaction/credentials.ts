/**
 * Credentials that instrumentations and raw request dumps carry, removed before anything is
 * stored: values of credential-like JSON keys and headers (Authorization, api-key, x-api-key,
 * token, secret, private_key, ...), and key shapes wherever they appear (OpenAI `sk-`, Anthropic
 * `sk-ant-`, Google `AIza`, AWS access key ids, GitHub, GitLab, Slack, Stripe, JWTs, PEM private
 * keys, bearer and Basic credentials, credentials in URLs' user-info and query strings, and
 * `secret_key = value` in text). Each pass is guarded by a prefilter that rejects most text at
 * memory speed, so text without any of these costs one scan.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';

export const REDACTED = '[REDACTED]';

// Names that make a JSON member or an attribute a credential wherever they occur in its name...
const CREDENTIAL_NAME = /authorization|api[-_]?key|access[-_]?token|refresh[-_]?token|client[-_]?secret|secret[-_]?key|password|cookie/i;
// ...and names common as parts of other words (max_tokens), a credential only when the name ends with them.
const CREDENTIAL_NAME_END = /(?:^|[^a-z])(?:token|secret|private[-_]?key|access[-_]?key|passwd)$/i;
// What must come before a `:` or `=` for the passes by name (JSON members, `name = value` in
// text) to run: a credential name, its word, an optional quote.
// (`token`, `secret` and `key` end the name: `max_tokens` is none.)
const NAME_BEFORE_SEPARATOR = /(?:(?:authorization|cookie|api[-_]?key|passw)[\w.-]{0,48}|token|secret|[-_]key)\\?["']?\s{0,4}$/i;

function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name) || CREDENTIAL_NAME_END.test(name);
}

// A JSON member with a string value, its key short enough to be a header or field name. Only
// matched when a credential name occurs in the text at all, and linear: no lazy scans.
const STRING_MEMBER = /"((?:[^"\\\n]|\\.){1,64})"(\s*:\s*)"(?:[^"\\]|\\.)*"/g;

// A value in text: up to a quote, a space, a separator, or a JSON escape.
const VALUE = String.raw`[^\s"'\\,;&#<>]`;
// Credential parameter names of a URL query and of `name = value` text.
const QUERY_NAME = String.raw`[\w.-]*(?:api[_-]?key|key|token|secret|password|passwd|signature|sig|auth|credential)s?`;

// Shapes of a secret as a whole: replaced whole.
const WHOLE_SHAPES = [
  String.raw`\bsk-ant-[A-Za-z0-9_-]{8,}`,
  String.raw`\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{16,}`,
  String.raw`\b[sr]k_(?:live|test)_[A-Za-z0-9]{16,}`,
  String.raw`\bAIza[0-9A-Za-z_-]{30,}`,
  String.raw`\b(?:AKIA|ASIA)[0-9A-Z]{16}\b`,
  String.raw`\bxai-[A-Za-z0-9]{20,}`,
  String.raw`\bgsk_[A-Za-z0-9]{20,}`,
  String.raw`\bgh[pousr]_[A-Za-z0-9]{30,}`,
  String.raw`\bgithub_pat_[A-Za-z0-9_]{40,}`,
  String.raw`\bglpat-[A-Za-z0-9_-]{20,}`,
  String.raw`\bxox[abposr]-[A-Za-z0-9-]{10,}`,
  String.raw`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`,
  // Up to its END line: the lazy scan starts only at a BEGIN line.
  String.raw`-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----`,
];

// Shapes whose first group is kept (what says a credential follows) and the rest replaced.
const PREFIXED_SHAPES = [
  String.raw`(\b[Bb]earer\s+)[A-Za-z0-9._~+/=-]{8,}`,
  // Basic credentials after an Authorization header name, or base64 with a digit or padding.
  String.raw`(\b[Aa]uthorization["']?\s*[:=]\s*["']?Basic\s+)[A-Za-z0-9+/]{4,}={0,2}`,
  String.raw`(\bBasic\s+)(?=[A-Za-z]*[0-9+/=])[A-Za-z0-9+/]{12,}={0,2}`,
  // The password of a URL's user-info, the values of credential query parameters.
  String.raw`(://[^/\s:@"']{1,128}:)[^/\s@"']{1,256}(?=@)`,
  String.raw`([?&]${QUERY_NAME}=)${VALUE}+`,
];

// One pass for every shape: each prefixed shape is one capture group, a whole shape none.
const SECRET_SHAPES = new RegExp([...WHOLE_SHAPES, ...PREFIXED_SHAPES].join('|'), 'g');

function keepPrefix(_match: string, ...groups: unknown[]): string {
  for (let i = 0; i < PREFIXED_SHAPES.length; i++) if (typeof groups[i] === 'string') return `${groups[i] as string}${REDACTED}`;
  return REDACTED;
}

// `aws_secret_access_key = ...`, `"token": "..."` in message text (its quotes JSON-escaped or not):
// a value that looks like a credential (a digit in it, or long). The name and separator are kept.
const NAMED_VALUE = new RegExp(
  String.raw`((?:secret[_-]?access[_-]?key|private[_-]?key|secret|token|password|passwd|api[_-]?key)\\?["']?\s*[:=]\s*\\?["']?)(?:(?=${VALUE}*\d)${VALUE}{8,}|${VALUE}{16,})`,
  'gi',
);

// Prefilter of the shapes: a shape can only be there when one of these is (a URL's credentials
// need its `@` or `=`). Grouped by first character, and none starting with a common letter of
// prose (`e`, `r`), so most text is rejected at about the speed of a scan.
const SHAPE_MARKERS =
  /sk-|k_(?:live|test)_|A(?:Iza|KIA|SIA)|xai-|xox|g(?:h[pousr]_|ithub_pat_|lpat-|sk_)|\.eyJ|PRIVATE KEY|[Bb]earer|Basic|@|=/;

function redactShapes(text: string, named: boolean): string {
  let out = SHAPE_MARKERS.test(text) ? text.replace(SECRET_SHAPES, keepPrefix) : text;
  if (named) out = out.replace(NAMED_VALUE, `$1${REDACTED}`);
  return out;
}

/** Secret-shaped values (keys, tokens, credentials in URLs and text) anywhere in the text. */
export function redactSecretShapes(text: string): string {
  return text.length < 8 ? text : redactShapes(text, mayNameCredential(text));
}

/**
 * A credential name may be given a value here. Looked for from the separators back, not from the
 * names forward: prose mentions tokens and keys all the time, separators after a name are rare.
 */
function mayNameCredential(text: string): boolean {
  for (const separator of SEPARATORS) {
    for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, at + 1)) {
      if (NAME_BEFORE_SEPARATOR.test(text.slice(Math.max(0, at - 64), at))) return true;
    }
  }
  return false;
}

const SEPARATORS = [':', '='];

/** Secret shapes, and the values of credential-named members of JSON documents (headers, raw request dumps). */
export function redactSecrets(text: string): string {
  if (text.length < 8) return text;
  const named = mayNameCredential(text);
  const out = named
    ? text.replace(STRING_MEMBER, (member: string, key: string, separator: string) =>
        isCredentialName(key) ? `"${key}"${separator}"${REDACTED}"` : member,
      )
    : text;
  return redactShapes(out, named);
}

const CREDENTIAL_KEY =
  /(?:^|[._-])(?:authorization|api[-_]?key|x-api-key|access[-_]?token|auth[-_]?token|token|secret|secret[-_]?access[-_]?key|private[-_]?key|password|passwd|cookie)$/i;

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
