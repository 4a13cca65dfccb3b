/**
 * The tree shows the data flow: every src/ folder imports only the folders the README's "Layout"
 * lists below it, and bench/ has no import circle.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !file.endsWith('.d.ts'))
    .map((file) => join(dir, file));
}

/** The relative modules a file imports (static, re-exports and dynamic), as paths from ROOT. */
function relativeImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((match) => match[1]!);
  return specifiers.map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)).replace(/\.js$/, '.ts'));
}

/** The README's Layout entries under src/, in order: a folder ("src/rows") or root files ("src/index.ts"). */
function layoutOrder(): string[][] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = readme.split('## Layout')[1]!.split('```')[1]!;
  return block
    .split('\n')
    .filter((line) => line.startsWith('src/'))
    .map((line) => {
      const [first, ...rest] = line.split(/\s{2,}/)[0]!.split(', ');
      return [first!, ...rest.map((name) => `src/${name}`)].map((entry) => entry.replace(/\/$/, ''));
    });
}

/** The Layout entry a src/ file belongs to. */
function entryOf(file: string): string {
  const [, second] = file.split('/');
  return second!.endsWith('.ts') ? file : `src/${second}`;
}

describe('layout', () => {
  it('lists every src/ folder and root file in the README', () => {
    const listed = new Set(layoutOrder().flat());
    const entries = new Set(sourceFiles('src').map(entryOf));
    expect([...entries].filter((entry) => !listed.has(entry))).toEqual([]);
  });

  it('has every src/ folder import only what the README lists below it', () => {
    const rank = new Map(layoutOrder().flatMap((entries, index) => entries.map((entry) => [entry, index] as const)));
    const upward = sourceFiles('src').flatMap((file) =>
      relativeImports(file)
        .filter((target) => target.startsWith('src/'))
        .filter((target) => rank.get(entryOf(target))! < rank.get(entryOf(file))!)
        .map((target) => `${file} -> ${target}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import circle in bench/', () => {
    const files = sourceFiles('bench');
    const imports = new Map(files.map((file) => [file, relativeImports(file).filter((target) => target.startsWith('bench/'))]));
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const target of imports.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    expect(circles).toEqual([]);
  });
});
