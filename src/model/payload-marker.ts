/**
 * The marker that ends a payload cut by the payload cap: rows/ writes it, the reader recognizes
 * it (it holds the original size, so a reader can tell a cut from text that merely looks alike).
 */
export function truncationMarker(originalBytes: number): string {
  return `…[truncated by llm-traces: ${originalBytes} bytes in all]`;
}
