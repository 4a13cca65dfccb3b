/**
 * Keyboard: j/k move through the page's main list, Enter opens the selected row, / focuses the
 * search box, Esc closes the innermost open panel or goes back. Keys typed into a field are the
 * field's, except Esc, which leaves it.
 */
import { useEffect, useRef } from 'preact/hooks';

const escapes: Array<() => void> = [];
/** How many views deep the current history entry is inside the app: Esc goes back only through those. */
const depth = (): number => (history.state as { depth?: number } | null)?.depth ?? 0;

function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  return !!element && (element.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(element.tagName));
}

/** Installs the global keys once, at start. */
export function installGlobalKeys(): void {
  let current = depth();
  history.replaceState({ depth: current }, '');
  window.addEventListener('hashchange', () => {
    // A link followed (new entry, no state yet) is one deeper; a back or forward keeps its own depth.
    if (history.state === null) history.replaceState({ depth: current + 1 }, '');
    current = depth();
  });
  window.addEventListener('keydown', (event) => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === 'Escape') {
      if (typing(event.target)) {
        (event.target as HTMLElement).blur();
        return;
      }
      const close = escapes[escapes.length - 1];
      if (close) close();
      else if (depth() > 0) history.back();
      else if (!/^#?\/?(calls)?(\?|$)/.test(location.hash)) location.hash = '#/calls';
      event.preventDefault();
      return;
    }
    if (event.key === '/' && !typing(event.target)) {
      const search = document.querySelector<HTMLInputElement>('[data-search]');
      if (search) {
        event.preventDefault();
        search.focus();
        search.select();
      }
    }
  });
}

/** While mounted (and `active`), Esc calls `close` instead of going back. */
export function useEscape(close: () => void, active = true): void {
  const ref = useRef(close);
  ref.current = close;
  useEffect(() => {
    if (!active) return;
    const handler = () => ref.current();
    escapes.push(handler);
    return () => {
      const at = escapes.lastIndexOf(handler);
      if (at !== -1) escapes.splice(at, 1);
    };
  }, [active]);
}

export interface ListKeys {
  count: number;
  selected: number;
  select(index: number): void;
  open(index: number): void;
}

/** j/k/Enter (and the arrow keys) over a list of `count` rows. */
export function useListKeys(keys: ListKeys): void {
  const ref = useRef(keys);
  ref.current = keys;
  useEffect(() => {
    const handler = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
      const { count, selected, select, open } = ref.current;
      if (count === 0) return;
      if (event.key === 'j' || event.key === 'ArrowDown') select(Math.min(count - 1, selected + 1));
      else if (event.key === 'k' || event.key === 'ArrowUp') select(Math.max(0, selected - 1));
      else if (event.key === 'Enter' && selected >= 0) open(selected);
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', handler);
    return () => window.removeEventListener('keydown', handler);
  }, []);
}
