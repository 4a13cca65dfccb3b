/**
 * A list of fixed-height rows of which only those in view (plus a margin) exist in the DOM:
 * traces of thousands of spans and pretty-printed megabyte payloads scroll without building
 * tens of thousands of nodes.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  /** Height of the scrolling box in pixels (the list fits its content when shorter). */
  height: number;
  row(index: number): ComponentChildren;
  /** Keep this row in view (the keyboard selection). */
  scrollTo?: number;
  overscan?: number;
  class?: string;
  label?: string;
}

export function VirtualList({ count, rowHeight, height, row, scrollTo, overscan = 12, class: className, label }: VirtualListProps) {
  const box = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const viewHeight = Math.min(height, count * rowHeight);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const onScroll = () => setTop(element.scrollTop);
    element.addEventListener('scroll', onScroll, { passive: true });
    return () => element.removeEventListener('scroll', onScroll);
  }, []);
  useLayoutEffect(() => {
    const element = box.current;
    if (!element || scrollTo === undefined || scrollTo < 0) return;
    const rowTop = scrollTo * rowHeight;
    if (rowTop < element.scrollTop) element.scrollTop = rowTop;
    else if (rowTop + rowHeight > element.scrollTop + viewHeight) element.scrollTop = rowTop + rowHeight - viewHeight;
  }, [scrollTo]);
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((top + viewHeight) / rowHeight) + overscan);
  const items: ComponentChildren[] = [];
  for (let index = first; index < last; index += 1) {
    items.push(
      <div key={index} class="vrow" style={{ top: `${index * rowHeight}px`, height: `${rowHeight}px` }}>
        {row(index)}
      </div>,
    );
  }
  return (
    <div ref={box} class={`vlist ${className ?? ''}`} style={{ height: `${viewHeight}px` }} role="list" aria-label={label}>
      <div class="vlist-inner" style={{ height: `${count * rowHeight}px` }}>
        {items}
      </div>
    </div>
  );
}
