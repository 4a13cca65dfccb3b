/**
 * The dense data table every list uses: typed columns, sortable headers (the sort lives in the
 * URL when the server sorts, in the component otherwise), a selected row moved with j/k and
 * opened with Enter, and row links that are real anchors (middle-click opens a new tab).
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { useListKeys } from '../keys.js';
import { navigate } from '../router.js';

export interface Column<T> {
  key: string;
  label: string;
  title?: string;
  /** Right-aligned tabular numbers. */
  numeric?: boolean;
  width?: string;
  cell(row: T): ComponentChildren;
  /** A value to sort by when the table sorts itself. */
  sortValue?(row: T): number | string;
}

export interface Sort {
  key: string;
  order: 'asc' | 'desc';
}

export interface TableProps<T> {
  rows: readonly T[];
  columns: Column<T>[];
  rowKey(row: T): string;
  /** Where Enter and a click on the row lead. */
  rowHref?(row: T): string;
  /** Keys of the columns the server can sort by, the current sort and how to change it. */
  serverSort?: { keys: readonly string[]; sort: Sort; onSort(sort: Sort): void };
  /** Client-side sort (for short, complete lists). */
  localSort?: Sort;
  /** Extra content under a row (a search snippet). */
  below?(row: T): ComponentChildren;
  rowClass?(row: T): string;
  /** This table takes j/k/Enter (one per page). */
  keyboard?: boolean;
  empty?: ComponentChildren;
  dim?: boolean;
  label?: string;
}

export function Table<T>(props: TableProps<T>) {
  const { columns, rowKey, rowHref, serverSort, below, keyboard = false } = props;
  const [local, setLocal] = useState<Sort | undefined>(props.localSort);
  const rows = useMemo(() => {
    if (!local) return props.rows;
    const column = columns.find((c) => c.key === local.key);
    if (!column?.sortValue) return props.rows;
    const sign = local.order === 'asc' ? 1 : -1;
    return [...props.rows].sort((a, b) => {
      const x = column.sortValue!(a);
      const y = column.sortValue!(b);
      return (x < y ? -1 : x > y ? 1 : 0) * sign;
    });
  }, [props.rows, local, columns]);
  const [selected, setSelected] = useState(-1);
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  // Live updates insert rows above: the selection follows its row, not its index.
  useEffect(() => {
    if (selectedKey === null) return;
    const at = rows.findIndex((row) => rowKey(row) === selectedKey);
    setSelected(at);
  }, [rows]);
  const select = (index: number) => {
    setSelected(index);
    setSelectedKey(rows[index] ? rowKey(rows[index]!) : null);
    document.querySelector(`[data-row-index="${index}"]`)?.scrollIntoView({ block: 'nearest' });
  };
  useListKeys({
    count: keyboard ? rows.length : 0,
    selected,
    select,
    open: (index) => rowHref && rows[index] && navigate(rowHref(rows[index]!)),
  });
  const sortOf = (key: string): Sort | undefined =>
    serverSort?.keys.includes(key) ? serverSort.sort : columns.find((c) => c.key === key)?.sortValue ? local : undefined;
  const onHeader = (key: string) => {
    if (serverSort?.keys.includes(key)) {
      const current = serverSort.sort;
      serverSort.onSort({ key, order: current.key === key && current.order === 'desc' ? 'asc' : 'desc' });
    } else if (columns.find((c) => c.key === key)?.sortValue) {
      setLocal((current) => ({ key, order: current?.key === key && current.order === 'desc' ? 'asc' : 'desc' }));
    }
  };
  return (
    <div class={`table-wrap${props.dim ? ' dim' : ''}`}>
      <table class="data" aria-label={props.label}>
        <thead>
          <tr>
            {columns.map((column) => {
              const sortable = !!serverSort?.keys.includes(column.key) || !!column.sortValue;
              const sort = sortOf(column.key);
              const active = sort?.key === column.key;
              return (
                <th
                  key={column.key}
                  class={column.numeric ? 'num' : undefined}
                  style={column.width ? { width: column.width } : undefined}
                  title={column.title}
                  aria-sort={active ? (sort!.order === 'asc' ? 'ascending' : 'descending') : undefined}
                >
                  {sortable ? (
                    <button
                      type="button"
                      class={`sort${active ? ' active' : ''}`}
                      onClick={() => onHeader(column.key)}
                      data-sort={column.key}
                    >
                      {column.label}
                      <span class="sort-mark">{active ? (sort!.order === 'asc' ? '▲' : '▼') : ''}</span>
                    </button>
                  ) : (
                    column.label
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={columns.length} class="empty-row">
                {props.empty ?? 'Nothing here.'}
              </td>
            </tr>
          )}
          {rows.map((row, index) => {
            const extra = below?.(row);
            const classes = [index === selected ? 'selected' : '', rowHref ? 'link' : '', props.rowClass?.(row) ?? '']
              .filter(Boolean)
              .join(' ');
            return [
              <tr
                key={rowKey(row)}
                class={classes}
                data-row-index={index}
                data-row-key={rowKey(row)}
                aria-selected={index === selected}
                onClick={(event) => {
                  if (!rowHref || (event.target as HTMLElement).closest('a,button,input,label')) return;
                  navigate(rowHref(row));
                }}
              >
                {columns.map((column) => (
                  <td key={column.key} class={column.numeric ? 'num' : undefined}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>,
              extra ? (
                <tr key={`${rowKey(row)}:below`} class="below">
                  <td colSpan={columns.length}>{extra}</td>
                </tr>
              ) : null,
            ];
          })}
        </tbody>
      </table>
    </div>
  );
}
