/**
 * Guarded access into parsed provider JSON. Payloads come from the wire or from span attributes,
 * so every read tolerates any shape and never throws.
 */

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value at a key path, or undefined where the path leaves the objects. */
export function valueAt(value: unknown, ...keys: readonly string[]): unknown {
  let current = value;
  for (const key of keys) {
    if (!isObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** The object at a key path, or undefined when there is none (null included). */
export function objectAt(value: unknown, ...keys: readonly string[]): JsonObject | undefined {
  const found = valueAt(value, ...keys);
  return isObject(found) ? found : undefined;
}

/** The objects in an array value; anything else is an empty list. */
export function objectsIn(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

/** `JSON.parse` that answers undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Folds cumulative stream chunks into one object: for every key, the last non-null value wins.
 * Suits streams whose final chunk repeats the running totals (Gemini, Ollama, chat usage chunk).
 */
export function mergeLatest(items: readonly JsonObject[]): JsonObject {
  const merged: JsonObject = {};
  for (const item of items) {
    for (const [key, value] of Object.entries(item)) {
      if (value !== null && value !== undefined) merged[key] = value;
    }
  }
  return merged;
}

/** Every element of the array under `key`, across all items, in order. */
export function collect(items: readonly JsonObject[], key: string): unknown[] {
  return items.flatMap((item) => (Array.isArray(item[key]) ? (item[key] as unknown[]) : []));
}
