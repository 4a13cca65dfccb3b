/**
 * Accept-Encoding negotiation (RFC 9110 section 12.5.3) for the viewer's files and JSON: the
 * first of the offered codings the client accepts with q > 0, in the server's order of preference.
 */
export type ContentCoding = 'br' | 'gzip';

export function preferredCoding(acceptEncoding: string | undefined, offered: readonly ContentCoding[]): ContentCoding | undefined {
  if (!acceptEncoding) return undefined;
  const weights = new Map<string, number>();
  for (const item of acceptEncoding.split(',')) {
    const [name = '', ...parameters] = item.trim().toLowerCase().split(';');
    const q = parameters.map((p) => /^\s*q\s*=\s*([0-9.]+)\s*$/.exec(p)).find((m) => m !== null);
    const weight = q ? Number(q[1]) : 1;
    if (name !== '' && Number.isFinite(weight)) weights.set(name.trim(), weight);
  }
  const weightOf = (coding: string): number =>
    weights.get(coding) ?? (coding === 'gzip' ? weights.get('x-gzip') : undefined) ?? weights.get('*') ?? 0;
  return offered.find((coding) => weightOf(coding) > 0);
}
