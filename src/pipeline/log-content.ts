/**
 * GenAI content that came in log records, held by span id until the exporter converts that span,
 * then joined to it as the `gen_ai.*.messages` attributes the GenAI convention reads (on the view
 * the LLM row is built from only: the otel_traces row shows the span as it was emitted).
 *
 * Ordering: instrumentations emit the prompt when the span starts and the completion before it
 * ends, and a span is exported only after it ends, so the content is here first. Content for a
 * span this area has already handed to the exporter is late: its row is written (rows are written
 * once), so it is dropped and counted, with one warning. Entries wait at most `holdMs` and the area
 * holds at most `maxCalls` calls and `maxChars` characters: past that the oldest are dropped and
 * counted, so a span that is never exported (sampled out, another exporter) costs nothing for long.
 */
import { diag, type Attributes } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { GenAiContent } from '../conventions/gen-ai-events.js';
import * as semconv from '../conventions/semconv.js';

const log = diag.createComponentLogger({ namespace: 'llm-traces' });

export interface LogContentLimits {
  /** Calls held at once. Default 4096. */
  maxCalls: number;
  /** Characters of content held in all. Default 16 Mi. */
  maxChars: number;
  /** How long content waits for its span, from its first record. Default 10 minutes (a long stream). */
  holdMs: number;
}

export const DEFAULT_LOG_CONTENT_LIMITS: LogContentLimits = { maxCalls: 4096, maxChars: 16 * 1024 * 1024, holdMs: 10 * 60_000 };

export interface LogContentStats {
  /** Calls whose content is waiting for its span. */
  held: number;
  /** Calls whose content was joined to their span. */
  joined: number;
  /** Records that came after their span was exported: not stored. */
  late: number;
  /** Calls whose content was dropped unjoined: waited past `holdMs`, or pushed out by the bounds. */
  dropped: number;
}

interface Entry {
  since: number;
  chars: number;
  input: unknown[];
  output: unknown[];
  systemInstructions: unknown[];
}

/** Span ids already handed over, remembered this long to tell late content from content for a span not seen. */
const HANDED_OVER_MS = 10 * 60_000;

export class LogContentArea {
  private readonly entries = new Map<string, Entry>();
  /** Span id -> when its content (or its absence) went to the exporter; oldest first. */
  private readonly handedOver = new Map<string, number>();
  private chars = 0;
  private joined = 0;
  private late = 0;
  private dropped = 0;
  private warnedLate = false;

  constructor(
    private readonly limits: LogContentLimits = DEFAULT_LOG_CONTENT_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Adds one record's content to the call of `spanId`. */
  add(spanId: string, content: GenAiContent): void {
    const now = this.now();
    if (this.handedOver.has(spanId)) {
      this.late++;
      if (!this.warnedLate) {
        this.warnedLate = true;
        log.warn(
          `GenAI content in a log record came after its span (${spanId}) was exported; it is not stored. ` +
            'Content is joined when its log records are emitted before the span ends, as instrumentations do.',
        );
      }
      return;
    }
    let entry = this.entries.get(spanId);
    if (!entry) this.entries.set(spanId, (entry = { since: now, chars: 0, input: [], output: [], systemInstructions: [] }));
    const chars = JSON.stringify(content).length;
    entry.input.push(...(content.input ?? []));
    entry.output.push(...(content.output ?? []));
    entry.systemInstructions.push(...(content.systemInstructions ?? []));
    entry.chars += chars;
    this.chars += chars;
    this.evict(now);
  }

  /** The span's content as attributes (removed from the area), or undefined when none came. */
  take(spanId: string): Attributes | undefined {
    // Called for every span an exporter converts: without content waiting, nothing else to do.
    if (this.entries.size === 0) return undefined;
    const now = this.now();
    this.evict(now);
    const entry = this.entries.get(spanId);
    if (!entry) return undefined;
    this.remove(spanId, entry);
    this.handedOver.set(spanId, now);
    this.joined++;
    return contentAttributes(entry);
  }

  stats(): LogContentStats {
    return { held: this.entries.size, joined: this.joined, late: this.late, dropped: this.dropped };
  }

  /** Drops what waited too long, then the oldest while over the bounds (Map order is arrival order). */
  private evict(now: number): void {
    for (const [spanId, entry] of this.entries) {
      const over = this.entries.size > this.limits.maxCalls || this.chars > this.limits.maxChars;
      if (!over && now - entry.since <= this.limits.holdMs) break;
      this.remove(spanId, entry);
      this.dropped++;
    }
    for (const [spanId, at] of this.handedOver) {
      if (now - at <= HANDED_OVER_MS && this.handedOver.size <= this.limits.maxCalls) break;
      this.handedOver.delete(spanId);
    }
  }

  private remove(spanId: string, entry: Entry): void {
    this.entries.delete(spanId);
    this.chars -= entry.chars;
  }
}

/** The messages as JSON attributes; choices arrive in their index order, as instrumentations emit them. */
function contentAttributes(entry: Entry): Attributes {
  const attributes: Attributes = {};
  if (entry.input.length > 0) attributes[semconv.ATTR_GEN_AI_INPUT_MESSAGES] = JSON.stringify(entry.input);
  if (entry.output.length > 0) attributes[semconv.ATTR_GEN_AI_OUTPUT_MESSAGES] = JSON.stringify(entry.output);
  if (entry.systemInstructions.length > 0) {
    attributes[semconv.ATTR_GEN_AI_SYSTEM_INSTRUCTIONS] = JSON.stringify(entry.systemInstructions);
  }
  return attributes;
}

/** The span with the content added where it has no value of its own (its own attributes win). */
export function withLogContent(span: ReadableSpan, content: Attributes): ReadableSpan {
  const attributes: Attributes = { ...content, ...span.attributes };
  // The view keeps the span's methods (spanContext) through its prototype chain.
  return Object.create(span, { attributes: { value: attributes } }) as ReadableSpan;
}

const areas = new WeakMap<object, LogContentArea>();

/** Makes `area` the one an exporter takes content from (only exporters that store payloads have one). */
export function registerLogContentArea(exporter: object, area: LogContentArea): void {
  areas.set(exporter, area);
}

/** The area a log processor adds the exporter's content to; undefined when the exporter stores no payloads. */
export function logContentAreaOf(exporter: object): LogContentArea | undefined {
  return areas.get(exporter);
}
