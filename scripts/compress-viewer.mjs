/**
 * After `vite build`: a .gz and a .br next to every viewer file, so `llm-traces serve` sends them
 * precompressed (at the best levels, once, at build time), and the bundle's compressed size
 * checked against its budget.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const ROOT = new URL('../dist/viewer/', import.meta.url).pathname;
const BUDGET_GZIP_BYTES = 80 * 1024;
const COMPRESSIBLE = /\.(html|js|css|svg|json|txt|map)$/;

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

let gzipTotal = 0;
const rows = [];
for (const path of files(ROOT)) {
  if (!COMPRESSIBLE.test(path)) continue;
  const body = readFileSync(path);
  const gz = gzipSync(body, { level: 9 });
  const br = brotliCompressSync(body, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
  });
  writeFileSync(`${path}.gz`, gz);
  writeFileSync(`${path}.br`, br);
  gzipTotal += gz.length;
  rows.push(
    `${relative(ROOT, path).padEnd(40)} ${String(body.length).padStart(8)} B  gzip ${String(gz.length).padStart(7)} B  br ${String(br.length).padStart(7)} B`,
  );
}
const summary = `viewer: ${rows.length} files, ${(gzipTotal / 1024).toFixed(1)} KB gzipped (budget ${BUDGET_GZIP_BYTES / 1024} KB)`;
if (process.argv.includes('--verbose')) console.log(rows.join('\n'));
if (gzipTotal > BUDGET_GZIP_BYTES) {
  console.error(`${summary}: over budget\n${rows.join('\n')}`);
  process.exit(1);
}
console.log(summary);
