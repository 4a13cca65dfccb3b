/** CSV (RFC 4180) of a table. Pure. */
export type Cell = string | number | null | undefined;

export function toCsv(header: readonly string[], rows: ReadonlyArray<readonly Cell[]>): string {
  const field = (value: Cell): string => {
    const text = value === null || value === undefined ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
