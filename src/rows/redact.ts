/**
 * Credentials that instrumentations and raw request dumps carry, removed before anything is
 * stored: values of credential-like JSON keys and headers (Authorization, api-key, x-api-key,
 * ...), and key shapes wherever they appear (OpenAI `sk-`, Anthropic `sk-ant-`, Google `AIza`,
 * AWS access key ids, bearer tokens).
 */
export const REDACTED = '[REDACTED]';

// A JSON member whose key names a credential, with a string value: keep the key, drop the value.
const CREDENTIAL_MEMBER =
  /("(?:[^"\\]|\\.)*?(?:authorization|api[-_]?key|x[-_]api[-_]key|access[-_]?token|refresh[-_]?token|client[-_]?secret|secret[-_]?key|password|cookie)(?:[^"\\]|\\.)*?"\s*:\s*)"(?:[^"\\]|\\.)*"/gi;

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

// Cheap pre-check: most strings contain none of these markers, and skip both regexes.
const MARKERS = /sk-|AIza|AKIA|ASIA|xai-|gsk_|bearer|authoriz|api[-_]?key|token|secret|password|cookie/i;

export function redactSecrets(text: string): string {
  if (!MARKERS.test(text)) return text;
  return text.replace(CREDENTIAL_MEMBER, `$1"${REDACTED}"`).replace(SECRET_SHAPES, REDACTED);
}

const CREDENTIAL_KEY = /(?:^|[._-])(?:authorization|api[-_]?key|x-api-key|access[-_]?token|secret|password|cookie)$/i;

/** An attribute map with credential-named keys and secret-shaped values redacted. */
export function redactAttributes(attributes: Record<string, string>): Record<string, string> {
  for (const key in attributes) {
    const value = attributes[key]!;
    if (CREDENTIAL_KEY.test(key)) attributes[key] = REDACTED;
    else attributes[key] = redactSecrets(value);
  }
  return attributes;
}
