/** Temp directories for chDB stores and results, removed even while chDB finishes a merge. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { progress } from './options.js';

export function makeTempDir(purpose: string): string {
  return mkdtempSync(join(tmpdir(), `llm-traces-bench-${purpose}-`));
}

/** chDB may still be writing a background merge right after close: retry, and never fail a run over it. */
export function removeTempDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (error) {
    progress(`could not remove ${dir}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
