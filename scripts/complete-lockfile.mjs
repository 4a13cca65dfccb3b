#!/usr/bin/env node
/**
 * Adds lockfile entries for optional platform packages the registry mirror does not serve (other
 * operating systems' builds of chdb and rollup), so `npm ci` accepts the lockfile. On this platform
 * npm skips them by their `os`/`cpu`/`libc` fields without fetching. Run after `npm install` when
 * dependencies change: `node scripts/complete-lockfile.mjs`.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const CPUS = ['arm64', 'x64', 'ia32', 'loong64', 'ppc64', 'riscv64', 's390x', 'arm'];
let added = 0;

/** `@rollup/rollup-linux-arm64-musl` -> { os: linux, cpu: arm64, libc: musl } */
function platformOf(name) {
  const parts = name
    .split('/')
    .pop()
    .replace(/^(lib-|rollup-)/, '')
    .split('-');
  const [os, arch = ''] = parts;
  const cpu = arch.startsWith('arm') && arch !== 'arm64' ? 'arm' : CPUS.find((c) => arch === c);
  return {
    os: [os],
    ...(cpu ? { cpu: [cpu] } : {}),
    ...(os === 'linux' ? { libc: [parts.includes('musl') ? 'musl' : 'glibc'] } : {}),
  };
}

for (const entry of Object.values(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    lock.packages[key] = { version, optional: true, ...platformOf(name) };
    added++;
  }
}
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} optional platform entries`);
