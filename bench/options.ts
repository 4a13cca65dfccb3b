/** Options every section receives, and how they become a child's Node flags. */
export interface BenchOptions {
  quick: boolean;
  seed: number;
  /** Write a V8 CPU profile of every measuring child process into this directory. */
  profileDir?: string;
}

/** The quick value in --quick mode, the full value otherwise. */
export function sized<T>(options: BenchOptions, quick: T, full: T): T {
  return options.quick ? quick : full;
}

/** Log lines go to stderr, so a child's stdout stays free for its service URL. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
