/**
 * Reads the output of ClickHouse's `EXPLAIN AST`: one row per node, indented one space per level,
 * `Kind [detail] [(alias name)] [(children N)]`. The tree is the engine's own parse of a statement,
 * so comments, case, quoting and nesting are already resolved; this module only rebuilds it.
 *
 * ClickHouse escapes string literals in the dump but prints identifiers and aliases raw, so a
 * quoted identifier holding a line break could add lines of its own. The statement guard refuses
 * such identifiers before it asks for the dump; here every node's stated child count must also
 * match the lines under it, or the dump is refused as unreadable.
 */

export interface AstNode {
  /** The node type: `SelectQuery`, `Function`, `TableIdentifier`, `InsertQuery`, ... */
  kind: string;
  /** The rest of the line: a function's or identifier's name, an ALTER command's type, ... */
  detail: string;
  alias: string | undefined;
  children: AstNode[];
}

export class UnreadableAstError extends Error {}

const CHILDREN = / \(children (\d+)\)$/;
const ALIAS = / \(alias (.*)\)$/;

interface Line {
  depth: number;
  node: AstNode;
  stated: number;
}

/** Rebuilds the tree from the dump's rows (one string per row). */
export function parseExplainAst(rows: readonly string[]): AstNode {
  const lines = rows.filter((row) => row.trim() !== '').map(parseLine);
  if (lines.length === 0) throw new UnreadableAstError('EXPLAIN AST returned no rows');
  const [root] = lines;
  if (root!.depth !== 0) throw new UnreadableAstError('the first row of EXPLAIN AST is indented');
  const stack: Line[] = [root!];
  for (const line of lines.slice(1)) {
    while (stack.length > 0 && stack[stack.length - 1]!.depth >= line.depth) stack.pop();
    const parent = stack[stack.length - 1];
    if (parent === undefined || line.depth !== parent.depth + 1) {
      throw new UnreadableAstError(`EXPLAIN AST row '${line.node.kind}' is not one level below a parent`);
    }
    parent.node.children.push(line.node);
    stack.push(line);
  }
  for (const line of lines) {
    if (line.node.children.length !== line.stated) {
      throw new UnreadableAstError(
        `EXPLAIN AST node '${line.node.kind}' states ${line.stated} children and has ${line.node.children.length}`,
      );
    }
  }
  return root!.node;
}

function parseLine(row: string): Line {
  const depth = row.length - row.trimStart().length;
  let text = row.slice(depth).trimEnd();
  let stated = 0;
  const children = CHILDREN.exec(text);
  if (children) {
    stated = Number(children[1]);
    text = text.slice(0, children.index);
  }
  let alias: string | undefined;
  const aliased = ALIAS.exec(text);
  if (aliased) {
    alias = aliased[1];
    text = text.slice(0, aliased.index);
  }
  const space = text.indexOf(' ');
  const kind = space < 0 ? text : text.slice(0, space);
  const detail = space < 0 ? '' : text.slice(space + 1).trim();
  return { depth, stated, node: { kind, detail, alias, children: [] } };
}

/** Every node of the tree with its parent, depth first. */
export function* walkAst(node: AstNode, parent?: AstNode): Generator<{ node: AstNode; parent: AstNode | undefined }> {
  yield { node, parent };
  for (const child of node.children) yield* walkAst(child, node);
}
