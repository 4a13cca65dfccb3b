/**
 * Instrumentations patch ES modules only through import-in-the-middle's loader hook, which must be
 * registered before the app imports them; without it an ESM app's calls make no spans at all.
 * `@opentelemetry/instrumentation/hook.mjs` is taken from where the app resolves it (the copy its
 * instrumentations use: the hook and their patching must come from the same import-in-the-middle).
 */
import { createRequire, register } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const HOOK = '@opentelemetry/instrumentation/hook.mjs';

/** Registers the hook and returns where it came from; undefined when the app has no instrumentation package. */
export function registerInstrumentationHook(): string | undefined {
  const hook = resolveFromApp(HOOK);
  if (hook === undefined) return undefined;
  register(pathToFileURL(hook));
  return hook;
}

function resolveFromApp(specifier: string): string | undefined {
  // The app's entry point when there is one (node --import ... app.mjs), else the working directory.
  const bases = [process.argv[1], join(process.cwd(), 'package.json')].filter((base): base is string => Boolean(base));
  for (const base of bases) {
    try {
      return createRequire(base).resolve(specifier);
    } catch {
      // not resolvable from here
    }
  }
  return undefined;
}
