/**
 * Model-name matching. Names reach us as the provider's API id with decorations from the route
 * they took: `openai/gpt-4.1-mini` (gateways), `models/gemini-2.5-pro` (Gemini REST), Vertex
 * resource paths and `@20241022` versions, Bedrock ids such as
 * `us.anthropic.claude-3-5-sonnet-20241022-v2:0` and ARNs. `normalizeModelName` strips those
 * decorations; `matchLength` then decides whether a price entry's name covers the result.
 */

// Bedrock cross-region inference profile prefixes (`us.anthropic.claude-...`).
const BEDROCK_REGION_PREFIX = /^(?:us|us-gov|eu|apac|jp|au|ca|global)\./;
// Bedrock model ids start with the vendor (`anthropic.claude-...`, `amazon.nova-pro-v1:0`).
const BEDROCK_VENDOR_PREFIX = /^(?:anthropic|amazon|meta|mistral|cohere|deepseek|ai21|openai|qwen|writer|google|moonshot|minimax|nvidia)\./;
// Bedrock version suffixes: `-v2:0`, `:0`.
const BEDROCK_VERSION_SUFFIX = /(?:-v\d+:\d+|:\d+)$/;

/**
 * `us.anthropic.claude-3-5-sonnet-20241022-v2:0` -> `claude-3-5-sonnet-20241022`,
 * `models/gemini-2.5-pro` -> `gemini-2.5-pro`, `claude-opus-4-5@20251101` -> `claude-opus-4-5`.
 */
export function normalizeModelName(raw: string): string {
  let name = raw.trim().toLowerCase();
  name = name.slice(name.lastIndexOf('/') + 1); // gateway prefixes, `models/`, ARNs, Vertex paths
  name = name.replace(/\[[^\]]*\]$/, ''); // context-mode markers such as `claude-opus-4-6[1m]`
  const at = name.indexOf('@'); // Vertex `claude-sonnet-4-5@20250929`
  if (at > 0) name = name.slice(0, at);
  name = name.replace(BEDROCK_REGION_PREFIX, '').replace(BEDROCK_VENDOR_PREFIX, '');
  return name.replace(BEDROCK_VERSION_SUFFIX, '');
}

/** A date or build number a provider appends to a model's alias for one snapshot of it: `2024`, `0613`, `001`. */
const DATE_WORD = '\\d{2,}';

/**
 * Words a provider appends to a model id without changing the model: dates and build numbers
 * (`2024-08-06`, `20250929`, `0613`, `001`), `latest`, `preview`, `exp`, `v2`. A single digit is
 * never one of them: `claude-opus-4-1` is a different model from `claude-opus-4`.
 */
const SNAPSHOT_WORD = new RegExp(`^(?:${DATE_WORD}|latest|preview|exp|experimental|v\\d+)$`);

/**
 * The dated snapshot suffix of a model id (`-2024-07-18`, `-20241022`, `-0613`), as an RE2 pattern:
 * the reader strips it in SQL to name a snapshot by its alias (reader/model-key.ts).
 */
export const DATED_SUFFIX_PATTERN = `(?:-${DATE_WORD})+$`;

/**
 * How specifically `pattern` names the normalized model `name`: the pattern length when `name`
 * is the pattern itself or the pattern followed by snapshot words, else 0. Longer wins, so
 * `gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`, and never as `gpt-4o`.
 */
export function matchLength(pattern: string, name: string): number {
  if (name === pattern) return pattern.length;
  if (!name.startsWith(pattern + '-')) return 0;
  const words = name.slice(pattern.length + 1).split('-');
  return words.every((word) => SNAPSHOT_WORD.test(word)) ? pattern.length : 0;
}
