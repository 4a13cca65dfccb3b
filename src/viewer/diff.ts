/**
 * Line diff for the compare view: Myers' O((N+M)·D) algorithm on lines, with the common head and
 * tail trimmed first (prompts of two calls of one agent share most of their text). Past
 * `maxEdits` differing lines the rest is reported as one replaced block rather than searched.
 * Pure.
 */
export type DiffOp = 'same' | 'del' | 'add';

export interface DiffLine {
  op: DiffOp;
  text: string;
}

export function diffLines(a: string, b: string, maxEdits = 4000): DiffLine[] {
  const left = a === '' ? [] : a.split('\n');
  const right = b === '' ? [] : b.split('\n');
  let head = 0;
  while (head < left.length && head < right.length && left[head] === right[head]) head += 1;
  let tail = 0;
  while (tail < left.length - head && tail < right.length - head && left[left.length - 1 - tail] === right[right.length - 1 - tail])
    tail += 1;
  const middle = myers(left.slice(head, left.length - tail), right.slice(head, right.length - tail), maxEdits);
  return [
    ...left.slice(0, head).map((text) => ({ op: 'same' as const, text })),
    ...middle,
    ...left.slice(left.length - tail).map((text) => ({ op: 'same' as const, text })),
  ];
}

function myers(a: string[], b: string[], maxEdits: number): DiffLine[] {
  const n = a.length;
  const m = b.length;
  if (n === 0) return b.map((text) => ({ op: 'add', text }));
  if (m === 0) return a.map((text) => ({ op: 'del', text }));
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d += 1) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x += 1;
        y += 1;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, offset, d);
    }
  }
  // Too different to be worth the search: everything on the left replaced by everything on the right.
  return [...a.map((text) => ({ op: 'del' as const, text })), ...b.map((text) => ({ op: 'add' as const, text }))];
}

function backtrack(trace: Int32Array[], a: string[], b: string[], offset: number, depth: number): DiffLine[] {
  const out: DiffLine[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = depth; d > 0; d -= 1) {
    const v = trace[d]!;
    const k = x - y;
    const down = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!);
    const previousK = down ? k + 1 : k - 1;
    const previousX = v[offset + previousK]!;
    const previousY = previousX - previousK;
    while (x > previousX && y > previousY) {
      x -= 1;
      y -= 1;
      out.push({ op: 'same', text: a[x]! });
    }
    if (down) {
      y -= 1;
      out.push({ op: 'add', text: b[y]! });
    } else {
      x -= 1;
      out.push({ op: 'del', text: a[x]! });
    }
  }
  while (x > 0 && y > 0) {
    x -= 1;
    y -= 1;
    out.push({ op: 'same', text: a[x]! });
  }
  return out.reverse();
}
