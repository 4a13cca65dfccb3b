/** Plain-text tables for the CLI: aligned columns, numbers right-aligned. */
export interface Column<T> {
  header: string;
  value: (row: T) => string | number | null | undefined;
  /** Right-aligned even when its cells are text (amounts formatted for display). */
  alignRight?: boolean;
}

export function formatTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => column.value(row)));
  const numeric = columns.map(
    (column, i) =>
      column.alignRight === true || cells.every((row) => row[i] === null || row[i] === undefined || typeof row[i] === 'number'),
  );
  const text = cells.map((row) =>
    row.map((cell) => (cell === null || cell === undefined ? '-' : typeof cell === 'number' ? formatNumber(cell) : cell)),
  );
  const widths = columns.map((column, i) => Math.max(column.header.length, ...text.map((row) => row[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((value, i) => (numeric[i] ? value.padStart(widths[i]!) : value.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

export function formatNumber(value: number): string {
  return Number.isInteger(value) ? value.toLocaleString('en-US') : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}
