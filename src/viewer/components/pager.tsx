/** First-page and next-page links of a keyset-paginated list: the cursor lives in the URL. */
import type { ComponentChildren } from 'preact';
import { href, withParams } from '../router.js';

export function Pager({
  path,
  params,
  nextCursor,
  children,
}: {
  path: string;
  params: URLSearchParams;
  nextCursor: string | null;
  /** Shown between the links (e.g. how many rows this page holds). */
  children?: ComponentChildren;
}) {
  return (
    <div class="pager">
      {params.get('cursor') && (
        <a class="button" href={href(path, withParams(params, { cursor: null }))}>
          ⇤ First page
        </a>
      )}
      {children}
      {nextCursor && (
        <a class="button" href={href(path, withParams(params, { cursor: nextCursor }))} data-next-page>
          Next page →
        </a>
      )}
    </div>
  );
}
