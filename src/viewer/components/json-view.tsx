/**
 * Raw payload JSON: pretty-printed once, drawn as virtualized lines with folding, long lines cut
 * (a megabyte string value is one line) and shown whole on request, copy of the stored text.
 */
import { useMemo, useState } from 'preact/hooks';
import { formatInt } from '../format.js';
import { foldBelow, jsonLines, visibleLines } from '../json-lines.js';
import { CopyButton } from './ui.js';
import { VirtualList } from './virtual-list.js';

const LINE_HEIGHT = 18;
const MAX_LINE_CHARS = 120;

export function JsonView({ text, height = 420, label }: { text: string; height?: number; label: string }) {
  const json = useMemo(() => jsonLines(text), [text]);
  const [folded, setFolded] = useState<Set<number>>(() => (json.lines.length > 400 ? foldBelow(json, 3) : new Set()));
  const [whole, setWhole] = useState<number | null>(null);
  const shown = useMemo(() => visibleLines(json, folded), [json, folded]);
  const toggle = (line: number) =>
    setFolded((current) => {
      const next = new Set(current);
      if (next.has(line)) next.delete(line);
      else next.add(line);
      return next;
    });
  const digits = String(json.lines.length).length;
  return (
    <div class="json-view" data-json-view={label}>
      <div class="json-tools">
        <span class="muted">
          {formatInt(json.lines.length)} lines{json.parsed ? '' : ' · not valid JSON (shown as stored)'}
        </span>
        <button type="button" class="small" onClick={() => setFolded(new Set())}>
          Expand all
        </button>
        <button type="button" class="small" onClick={() => setFolded(foldBelow(json, 1))}>
          Outline
        </button>
        <CopyButton text={text} label="Copy JSON" />
      </div>
      <VirtualList
        count={shown.length}
        rowHeight={LINE_HEIGHT}
        height={height}
        label={`${label} JSON`}
        class="json-lines"
        row={(index) => {
          const line = shown[index]!;
          const content = json.lines[line]!;
          const close = json.closes[line]!;
          const isFolded = folded.has(line) && close > line;
          const cut = content.length > MAX_LINE_CHARS;
          return (
            <div class="json-line">
              <span class="ln">{String(line + 1).padStart(digits, ' ')}</span>
              {close > line ? (
                <button type="button" class="fold" onClick={() => toggle(line)} aria-label={isFolded ? 'unfold' : 'fold'}>
                  {isFolded ? '▸' : '▾'}
                </button>
              ) : (
                <span class="fold" />
              )}
              <span class="code">{cut ? content.slice(0, MAX_LINE_CHARS) : content}</span>
              {isFolded && (
                <span class="folded">
                  {' '}
                  … {formatInt(close - line - 1)} lines {json.lines[close]!.trim()}
                </span>
              )}
              {cut && (
                <button type="button" class="more" onClick={() => setWhole(line)}>
                  +{formatInt(content.length - MAX_LINE_CHARS)} chars
                </button>
              )}
            </div>
          );
        }}
      />
      {whole !== null && (
        <div class="json-whole">
          <div class="json-tools">
            <span class="muted">
              line {whole + 1}: {formatInt(json.lines[whole]!.length)} characters
            </span>
            <CopyButton text={json.lines[whole]!} label="Copy line" />
            <button type="button" class="small" onClick={() => setWhole(null)}>
              Close
            </button>
          </div>
          <pre class="wrap">{json.lines[whole]}</pre>
        </div>
      )}
    </div>
  );
}
