/**
 * `npm run bench` / `npm run bench:quick`: runs every section in its own child process, prints the
 * markdown report and, for a full run of all sections, writes it to BENCHMARKS.md followed by the
 * hand-written bench/FINDINGS.md (what was tried, where the time goes).
 *
 *   --quick            smaller data and fewer repetitions (under a minute)
 *   --only=a,b         only these sections: exporter-cpu, end-to-end, app-cost (also: memory),
 *                      storage, reader, viewer, serve (these two need `npm run build`)
 *   --seed=N           another workload (default 1)
 *   --out=FILE         write the report there (default: BENCHMARKS.md for a full run of all sections)
 *   --cpu-prof=DIR     write a V8 CPU profile of every measuring process into DIR; read one with
 *                      `npx tsx bench/profile-summary.ts DIR/<file>.cpuprofile`
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { progress, type BenchOptions } from './options.js';
import { childOptions, runTask } from './processes.js';
import { renderReport, type RunInfo, type SectionId, type SectionResult } from './report.js';

const SECTIONS: readonly SectionId[] = ['exporter-cpu', 'end-to-end', 'app-cost', 'storage', 'reader', 'viewer', 'serve'];
const ALIASES: Record<string, SectionId> = { memory: 'app-cost' };
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const FINDINGS = fileURLToPath(new URL('FINDINGS.md', import.meta.url));

interface Flags {
  options: BenchOptions;
  sections: SectionId[];
  out: string | undefined;
}

function parseFlags(argv: readonly string[]): Flags {
  const value = (name: string): string | undefined => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  for (const arg of argv) {
    if (!/^--(quick|only=.+|seed=\d+|out=.+|cpu-prof=.+)$/.test(arg)) {
      throw new Error(`unknown argument '${arg}'; use --quick, --only=<${SECTIONS.join('|')}>[,...], --seed=N, --out=FILE, --cpu-prof=DIR`);
    }
  }
  const only = value('only')
    ?.split(',')
    .map((name) => {
      const id = ALIASES[name] ?? name;
      if (!SECTIONS.includes(id as SectionId)) throw new Error(`--only: unknown section '${name}'; sections are ${SECTIONS.join(', ')}`);
      return id as SectionId;
    });
  const sections = only ? SECTIONS.filter((s) => only.includes(s)) : [...SECTIONS];
  const quick = argv.includes('--quick');
  const profileDir = value('cpu-prof');
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const out = value('out') ?? (!quick && !only ? resolve(REPO_ROOT, 'BENCHMARKS.md') : undefined);
  return {
    options: { quick, seed: Number(value('seed') ?? 1), ...(profileDir ? { profileDir: resolve(profileDir) } : {}) },
    sections,
    out,
  };
}

async function main(): Promise<void> {
  const { options, sections, out } = parseFlags(process.argv.slice(2));
  const started = performance.now();
  const results: SectionResult[] = [];
  const load: RunInfo['load'] = {};
  for (const section of sections) {
    progress(`section ${section}`);
    const sectionStart = performance.now();
    const loadBefore = loadavg()[0]!;
    results.push(await runTask<SectionResult>(section, options, childOptions(options)));
    load[section] = [loadBefore, loadavg()[0]!];
    progress(`section ${section} done in ${((performance.now() - sectionStart) / 1000).toFixed(1)} s`);
  }
  const report = renderReport(results, {
    quick: options.quick,
    seed: options.seed,
    date: new Date(),
    seconds: (performance.now() - started) / 1000,
    load,
  });
  process.stdout.write(`${report}\n`);
  if (out) {
    // What was tried and where the time goes is written by hand, next to the harness.
    writeFileSync(out, `${report}\n\n${readFileSync(FINDINGS, 'utf8')}`);
    progress(`written to ${out}`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
