/**
 * Credentials that instrumentations and raw request dumps carry, removed before anything is
 * stored: values of credential-like JSON keys and headers (Authorization, api-key, x-api-key,
 * token, secret, private_key, ...), and key shapes wherever they appear (OpenAI `sk-`, Anthropic
 * `sk-ant-`, Google `AIza`, AWS access key ids, GitHub, GitLab, Slack, Stripe, JWTs, PEM private
 * keys, bearer and Basic credentials, credentials in URLs' user-info and query strings, and
 * `secret_key = value` in text). The patterns run only where one of them could start, found by
 * `indexOf` of what each needs (redactText), so most text costs a few scans at memory speed.
 */
import type { Attributes, AttributeValue } from '@opentelemetry/api';

export const REDACTED = '[REDACTED]';

// Names that make a JSON member or an attribute a credential wherever they occur in its name...
const CREDENTIAL_NAME = /authorization|api[-_]?key|access[-_]?token|refresh[-_]?token|client[-_]?secret|secret[-_]?key|password|cookie/i;
// ...and names common as parts of other words (max_tokens), a credential only when the name ends with them.
const CREDENTIAL_NAME_END = /(?:^|[^a-z])(?:token|secret|private[-_]?key|access[-_]?key|passwd)$/i;
function isCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name) || CREDENTIAL_NAME_END.test(name);
}

// A JSON member with a string value, its key short enough to be a header or field name. Only
// run on a document when a key before a `:` is credential-named (separatorStarts), and linear.
const STRING_MEMBER = /"((?:[^"\\\n]|\\.){1,64})"(\s*:\s*)"(?:[^"\\]|\\.)*"/g;

// A value in text: up to a quote, a space, a separator, or a JSON escape.
const VALUE = String.raw`[^\s"'\\,;&#<>]`;
// Credential parameter names of a URL query and of `name = value` text.
const QUERY_NAME = String.raw`[\w.-]*(?:api[_-]?key|key|token|secret|password|passwd|signature|sig|auth|credential)s?`;

// Shapes of a secret as a whole: replaced whole. Each is found by what shapeStarts looks for.
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

// Every shape in one sticky pattern, tried only where one may start: each prefixed shape is one
// capture group, a whole shape none.
const SECRET_SHAPES = new RegExp([...WHOLE_SHAPES, ...PREFIXED_SHAPES].join('|'), 'y');

function keepPrefix(match: RegExpExecArray): string {
  for (let i = 1; i <= PREFIXED_SHAPES.length; i++) if (match[i] !== undefined) return `${match[i]}${REDACTED}`;
  return REDACTED;
}

// `aws_secret_access_key = ...`, `"token": "..."` in message text (its quotes JSON-escaped or not):
// a value that looks like a credential (a digit in it, or long). The name and separator are kept.
const NAMED_VALUE = new RegExp(
  String.raw`((?:secret[_-]?access[_-]?key|private[_-]?key|secret|token|password|passwd|api[_-]?key)\\?["']?\s*[:=]\s*\\?["']?)(?:(?=${VALUE}*\d)${VALUE}{8,}|${VALUE}{16,})`,
  'iy',
);
/** Lengths of NAMED_VALUE's names that end in `key`, longest first. */
const KEY_NAME_LENGTHS = [17, 16, 15, 11, 10, 7, 6];

/** Secret-shaped values (keys, tokens, credentials in URLs and text) anywhere in the text. */
export function redactSecretShapes(text: string): string {
  return redactText(text, false);
}

/** Secret shapes, and the values of credential-named members of JSON documents (headers, raw request dumps). */
export function redactSecrets(text: string): string {
  return redactText(text, true);
}

/**
 * One scan finds every place a pattern could start, by `indexOf` of what each needs (a rare
 * character or word), so text without any costs a few scans at about memory speed; the patterns
 * run sticky at those places only, and the text is copied only when something is redacted.
 * `starts` holds a shape's start as `2 * at`, a named value's as `2 * at + 1`.
 */
function redactText(text: string, documents: boolean): string {
  if (text.length < 8) return text;
  const starts: number[] = [];
  let out = text;
  if (separatorStarts(text, starts, documents)) {
    // A credential-named member's value is replaced whole first; the text is then looked at again.
    out = text.replace(STRING_MEMBER, (member: string, key: string, separator: string) =>
      isCredentialName(key) ? `"${key}"${separator}"${REDACTED}"` : member,
    );
    starts.length = 0;
    separatorStarts(out, starts, false);
  }
  shapeStarts(out, starts);
  return starts.length === 0 ? out : redactAt(out, starts);
}

/** The text with each match of a start (tried in order, none inside an earlier match) redacted. */
function redactAt(text: string, starts: number[]): string {
  // Ascending; at one place a shape (even) is tried before a named value (odd), as in one alternation.
  starts.sort((a, b) => a - b);
  let out = '';
  let copied = 0;
  for (const start of starts) {
    const at = start >>> 1;
    if (at < copied) continue;
    const pattern = start & 1 ? NAMED_VALUE : SECRET_SHAPES;
    pattern.lastIndex = at;
    const match = pattern.exec(text);
    if (match === null) continue;
    out += text.slice(copied, at) + (start & 1 ? `${match[1]}${REDACTED}` : keepPrefix(match));
    copied = pattern.lastIndex;
  }
  return copied === 0 ? text : out + text.slice(copied);
}

const enum Char {
  Tab = 9,
  CarriageReturn = 13,
  Space = 32,
  DoubleQuote = 34,
  Ampersand = 38,
  Quote = 39,
  Dash = 45,
  Dot = 46,
  Zero = 48,
  Nine = 57,
  Colon = 58,
  Equals = 61,
  Question = 63,
  A = 65,
  I = 73,
  K = 75,
  S = 83,
  Backslash = 92,
  Underscore = 95,
  a = 97,
  d = 100,
  k = 107,
  n = 110,
  r = 114,
  s = 115,
  t = 116,
  y = 121,
  z = 122,
}

const UNICODE_SPACE = /\s/;

/** What `\s` matches. */
function isSpace(code: number): boolean {
  return (
    code === Char.Space ||
    (code >= Char.Tab && code <= Char.CarriageReturn) ||
    (code > 127 && UNICODE_SPACE.test(String.fromCharCode(code)))
  );
}

function isQuote(code: number): boolean {
  return code === Char.DoubleQuote || code === Char.Quote;
}

/** `text` holds `word` at `at` (never true before the start, unlike startsWith). */
function has(text: string, at: number, word: string): boolean {
  return at >= 0 && text.startsWith(word, at);
}

/** The lowercase ASCII `word` ends at `end`, in any case. */
function endsWithWord(text: string, end: number, word: string): boolean {
  const from = end - word.length;
  if (from < 0) return false;
  for (let i = 0; i < word.length; i++) if ((text.charCodeAt(from + i) | 0x20) !== word.charCodeAt(i)) return false;
  return true;
}

/** The start of the run of `[\w-]` characters (with `dots`, `[\w.-]`) that ends at `end`. */
function wordRunStart(text: string, end: number, dots: boolean): number {
  let at = end;
  while (at > 0) {
    const code = text.charCodeAt(at - 1);
    const letter = code | 0x20;
    const word =
      (letter >= Char.a && letter <= Char.z) || (code >= Char.Zero && code <= Char.Nine) || code === Char.Underscore || code === Char.Dash;
    if (!word && !(dots && code === Char.Dot)) break;
    at--;
  }
  return at;
}

/**
 * The starts of named values and query credentials before each `:` and `=`; with `documents`,
 * whether a JSON member's key before a `:` is credential-named (the member pass must run).
 */
function separatorStarts(text: string, starts: number[], documents: boolean): boolean {
  let member = false;
  for (const separator of SEPARATORS) {
    for (let at = text.indexOf(separator); at !== -1; at = text.indexOf(separator, at + 1)) {
      let end = at;
      while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
      if (end > 0 && isQuote(text.charCodeAt(end - 1))) {
        end--;
        if (documents && !member && separator === ':' && text.charCodeAt(end) === Char.DoubleQuote)
          member = isCredentialKeyBefore(text, end);
      }
      if (end > 0 && text.charCodeAt(end - 1) === Char.Backslash) end--;
      namedStarts(text, end, starts);
      if (separator === '=') {
        const name = wordRunStart(text, at, true);
        const before = text.charCodeAt(name - 1);
        if (before === Char.Question || before === Char.Ampersand) starts.push(2 * (name - 1));
      }
    }
  }
  return member;
}

const SEPARATORS = [':', '='];

/** Where NAMED_VALUE's names may start when one ends at `end`. */
function namedStarts(text: string, end: number, starts: number[]): void {
  let lengths: readonly number[] | undefined;
  switch (text.charCodeAt(end - 1) | 0x20) {
    case Char.y:
      if (endsWithWord(text, end, 'key')) lengths = KEY_NAME_LENGTHS;
      break;
    case Char.t:
      if (endsWithWord(text, end, 'secret')) lengths = [6];
      break;
    case Char.n:
      if (endsWithWord(text, end, 'token')) lengths = [5];
      break;
    case Char.d:
      if (endsWithWord(text, end, 'password')) lengths = [8];
      else if (endsWithWord(text, end, 'passwd')) lengths = [6];
      break;
  }
  if (lengths) for (const length of lengths) if (end >= length) starts.push(2 * (end - length) + 1);
}

/**
 * Whether a credential-named STRING_MEMBER key may end with the quote at `close`. A quote after an
 * odd number of backslashes is escaped (JSON inside a string) and ends no key; a key starts after
 * an earlier quote, past escaped ones, within STRING_MEMBER's 64 characters or escapes.
 */
function isCredentialKeyBefore(text: string, close: number): boolean {
  if (isEscaped(text, close)) return false;
  for (let open = text.lastIndexOf('"', close - 1); open !== -1 && close - open <= 129; open = text.lastIndexOf('"', open - 1)) {
    if (isCredentialMemberKey(text.slice(open + 1, close))) return true;
    if (!isEscaped(text, open)) return false;
  }
  return false;
}

function isEscaped(text: string, at: number): boolean {
  let backslashes = 0;
  while (text.charCodeAt(at - 1 - backslashes) === Char.Backslash) backslashes++;
  return backslashes % 2 === 1;
}

// Keys of JSON members repeat: each is looked at once.
const memberKeys = new Map<string, boolean>();

function isCredentialMemberKey(key: string): boolean {
  let credential = memberKeys.get(key);
  if (credential === undefined) {
    credential = isCredentialName(key);
    if (memberKeys.size < 10_000) memberKeys.set(key, credential);
  }
  return credential;
}

/** Where a secret shape may start (SECRET_SHAPES), from what each shape needs. */
function shapeStarts(text: string, starts: number[]): void {
  // sk-, xai-, glpat-, xox?-, -----BEGIN
  for (let at = text.indexOf('-'); at !== -1; at = text.indexOf('-', at + 1)) {
    if (has(text, at - 2, 'sk')) starts.push(2 * (at - 2));
    else if (has(text, at - 3, 'xai')) starts.push(2 * (at - 3));
    else if (has(text, at - 5, 'glpat')) starts.push(2 * (at - 5));
    else if (has(text, at - 4, 'xox')) starts.push(2 * (at - 4));
    else if (text.charCodeAt(at + 1) === Char.Dash && text.startsWith('----BEGIN ', at + 1)) starts.push(2 * at);
  }
  // [sr]k_live_, gsk_, gh?_, github_pat_
  for (let at = text.indexOf('_'); at !== -1; at = text.indexOf('_', at + 1)) {
    if (text.charCodeAt(at - 1) === Char.k) {
      const before = text.charCodeAt(at - 2);
      if (before === Char.s || before === Char.r) starts.push(2 * (at - 2));
      if (before === Char.s && has(text, at - 3, 'g')) starts.push(2 * (at - 3));
    } else if (has(text, at - 3, 'gh')) starts.push(2 * (at - 3));
    else if (has(text, at - 6, 'github')) starts.push(2 * (at - 6));
  }
  // AIza, AKIA, ASIA
  for (let at = text.indexOf('A'); at !== -1; at = text.indexOf('A', at + 1)) {
    const next = text.charCodeAt(at + 1);
    if (
      next === Char.I ? has(text, at + 1, 'Iza') : next === Char.K ? has(text, at + 1, 'KIA') : next === Char.S && has(text, at + 1, 'SIA')
    ) {
      starts.push(2 * at);
    }
  }
  // A JWT's second part, then the places its first part may start.
  for (let at = text.indexOf('J'); at !== -1; at = text.indexOf('J', at + 1)) {
    if (!has(text, at - 3, '.ey')) continue;
    const run = wordRunStart(text, at - 3, false);
    for (let first = text.indexOf('eyJ', run); first !== -1 && first < at - 3; first = text.indexOf('eyJ', first + 1))
      starts.push(2 * first);
  }
  for (const word of BEARER) for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) starts.push(2 * at);
  for (let at = text.indexOf('Basic'); at !== -1; at = text.indexOf('Basic', at + 1)) {
    starts.push(2 * at);
    const header = authorizationBefore(text, at);
    if (header !== -1) starts.push(2 * header);
  }
  if (text.includes('@')) for (let at = text.indexOf('://'); at !== -1; at = text.indexOf('://', at + 1)) starts.push(2 * at);
}

const BEARER = ['Bearer', 'bearer'];

/** The start of `[Aa]uthorization["']?\s*[:=]\s*["']?` ending at `end`, or -1. */
function authorizationBefore(text: string, end: number): number {
  let at = end;
  if (isQuote(text.charCodeAt(at - 1))) at--;
  while (at > 0 && isSpace(text.charCodeAt(at - 1))) at--;
  const separator = text.charCodeAt(at - 1);
  if (separator !== Char.Colon && separator !== Char.Equals) return -1;
  at--;
  while (at > 0 && isSpace(text.charCodeAt(at - 1))) at--;
  if (isQuote(text.charCodeAt(at - 1))) at--;
  return has(text, at - 12, 'uthorization') && (text.charCodeAt(at - 13) | 0x20) === Char.a ? at - 13 : -1;
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
