/**
 * Pretty-printed JSON as lines with foldable ranges, for the raw payload view: an object or array
 * that opens on a line closes on the line its bracket matches, and folding it hides the lines in
 * between. Pure.
 */
export interface JsonLines {
  lines: string[];
  /** For a line that opens a bracket, the index of the line that closes it; -1 otherwise. */
  closes: Int32Array;
  /** False when the text was not JSON: shown as it is. */
  parsed: boolean;
}

export function jsonLines(text: string): JsonLines {
  let pretty = text;
  let parsed = false;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
    parsed = true;
  } catch {
    // Capped payloads end in a marker and are not valid JSON: shown as stored.
  }
  const lines = pretty.split('\n');
  const closes = new Int32Array(lines.length).fill(-1);
  if (parsed) {
    const open: number[] = [];
    for (let i = 0; i < lines.length; i += 1) {
      const line = lines[i]!;
      const trimmed = line.trimStart();
      if (trimmed.startsWith('}') || trimmed.startsWith(']')) {
        const start = open.pop();
        if (start !== undefined) closes[start] = i;
      }
      if (line.endsWith('{') || line.endsWith('[')) open.push(i);
    }
  }
  return { lines, closes, parsed };
}

/** Indices of the lines shown when the given opening lines are folded. */
export function visibleLines(json: JsonLines, folded: ReadonlySet<number>): number[] {
  const out: number[] = [];
  for (let i = 0; i < json.lines.length; i += 1) {
    out.push(i);
    if (folded.has(i) && json.closes[i]! > i) i = json.closes[i]!;
  }
  return out;
}

/** The opening lines deeper than `depth` levels: folding them shows the outline of a document. */
export function foldBelow(json: JsonLines, depth: number): Set<number> {
  const folded = new Set<number>();
  for (let i = 0; i < json.lines.length; i += 1) {
    if (json.closes[i]! <= i) continue;
    const indent = json.lines[i]!.length - json.lines[i]!.trimStart().length;
    if (indent / 2 >= depth) folded.add(i);
  }
  return folded;
}
