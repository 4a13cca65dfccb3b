/**
 * Where the time goes in a V8 CPU profile (from `npm run bench -- --cpu-prof=DIR`):
 *
 *   npx tsx bench/profile-summary.ts DIR/file.cpuprofile [--top=25]
 *
 * Prints the functions with the most self time and with the most inclusive time (time in the
 * function and everything it called), as a percentage of all samples. Functions are named with
 * their file; tsx-compiled sources have no reliable line numbers, so none are shown for them.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function summarizeProfile(profile: CpuProfile, top: number): string {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);
  const selfTime = new Map<number, number>();
  profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const total = [...selfTime.values()].reduce((a, b) => a + b, 0);

  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, time] of selfTime) {
    const name = frameName(byId.get(id)!);
    self.set(name, (self.get(name) ?? 0) + time);
    // Count each function once per sample even when it recurses.
    const seen = new Set<string>();
    for (let current: number | undefined = id; current !== undefined; current = parentOf.get(current)) {
      const ancestor = frameName(byId.get(current)!);
      if (seen.has(ancestor)) continue;
      seen.add(ancestor);
      inclusive.set(ancestor, (inclusive.get(ancestor) ?? 0) + time);
    }
  }
  const rows = (times: Map<string, number>): string[] =>
    [...times]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => `${((100 * time) / total).toFixed(1).padStart(5)}%  ${name}`);
  return [`total ${(total / 1e6).toFixed(2)} s sampled`, '', 'self time:', ...rows(self), '', 'inclusive time:', ...rows(inclusive)].join(
    '\n',
  );
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^file:\/\/\/?/, '').replace(/^.*\/(src|bench|node_modules)\//, '$1/');
  const location = file === '' ? '' : file.endsWith('.ts') ? ` ${file}` : ` ${file}:${lineNumber + 1}`;
  return `${functionName || '(anonymous)'}${location}`;
}

const file = process.argv.slice(2).find((arg) => !arg.startsWith('--'));
if (!file) {
  process.stderr.write('usage: npx tsx bench/profile-summary.ts FILE.cpuprofile [--top=N]\n');
  process.exitCode = 1;
} else {
  const top = Number(process.argv.find((arg) => arg.startsWith('--top='))?.slice(6) ?? 25);
  process.stdout.write(`${summarizeProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, top)}\n`);
}
