/**
 * The viewer's bundle (`npm run build`): src/viewer -> dist/viewer, hashed assets under assets/.
 * `llm-traces serve` answers with a strict CSP (default-src 'self'), so nothing may be inlined:
 * no data: URLs for assets and no inline module-preload polyfill.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: false,
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: fileURLToPath(new URL('../../dist/viewer', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    sourcemap: false,
  },
});
