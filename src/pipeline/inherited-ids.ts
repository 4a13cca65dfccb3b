/**
 * Ids named on an ancestor span reach the LLM calls below it: AI SDK 7 puts `runtimeContext` on
 * its `invoke_agent` and `step` spans, not on the `chat` span of the request; agents and chains
 * carry OpenInference and Traceloop ids; the app may set `llm_traces.*` on its own span. A call's
 * own ids win, then the nearest ancestor's.
 *
 * With the context processor a span's ids are complete when it starts (the processor copied its
 * ancestors' onto it), so nothing waits. Without it, the ancestors end after the call, often in
 * later exports: a call whose chain of ancestors has not arrived up to its root (or to a span the
 * processor saw, or a remote parent) waits for it, for at most `holdMs`, and is then written with
 * the ids known by then.
 */
import type { CallContext } from '../model/llm-call.js';
import { mergeCalls } from '../model/merge-calls.js';
import type { DetectedCall } from './join.js';
import type { RecentSpans, SpanLink } from './recent-spans.js';

const MAX_DEPTH = 256;

interface Waiting {
  entry: DetectedCall;
  since: number;
}

export class InheritedIds {
  private waiting: Waiting[] = [];

  constructor(
    private readonly recent: RecentSpans,
    private readonly holdMs = 10_000,
    private readonly maxHeld = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Calls waiting for an ancestor span. */
  get size(): number {
    return this.waiting.length;
  }

  /** These calls and the waiting ones whose ancestors have all come, with the ids inherited. */
  settle(calls: readonly DetectedCall[]): DetectedCall[] {
    const since = this.now();
    const candidates = [...this.waiting, ...calls.map((entry) => ({ entry, since }))];
    this.waiting = [];
    const ready: DetectedCall[] = [];
    for (const candidate of candidates) {
      const inherited = this.inherit(candidate.entry);
      if (inherited.complete || candidate.entry.start?.seen) ready.push(inherited.entry);
      else this.waiting.push(candidate);
    }
    // Bounded: the oldest waiting calls are written with the ids known so far.
    if (this.waiting.length > this.maxHeld) ready.push(...this.take(this.waiting.length - this.maxHeld));
    return ready;
  }

  /** Waiting calls older than the hold window (all with `all`), with the ids known by now. */
  release(all = false): DetectedCall[] {
    const cutoff = this.now() - this.holdMs;
    const expired = all ? this.waiting.length : this.waiting.findIndex((waiting) => waiting.since > cutoff);
    return this.take(expired === -1 ? this.waiting.length : expired);
  }

  /** Calls that have waited long enough already (for a partner): the ids known so far, no further wait. */
  fill(calls: readonly DetectedCall[]): DetectedCall[] {
    return calls.map((entry) => this.inherit(entry).entry);
  }

  private take(count: number): DetectedCall[] {
    return this.waiting.splice(0, count).map(({ entry }) => this.inherit(entry).entry);
  }

  /** The call with its ancestors' ids filling what it lacks; complete when no ancestor is still to come. */
  private inherit(entry: DetectedCall): { entry: DetectedCall; complete: boolean } {
    const contexts: CallContext[] = [];
    const withContexts = () => (contexts.length === 0 ? entry : { ...entry, call: mergeCalls([entry.call, ...contexts]) });
    let link: Pick<SpanLink, 'parentId' | 'remoteParent'> = {
      parentId: entry.span.parentSpanContext?.spanId,
      remoteParent: entry.span.parentSpanContext?.isRemote === true,
    };
    // Bounded depth: parent links come from the spans and could form a cycle.
    for (let depth = 0; depth < MAX_DEPTH && link.parentId !== undefined && !link.remoteParent; depth++) {
      const parent = this.recent.get(link.parentId);
      if (!parent) return { entry: withContexts(), complete: false };
      contexts.push(parent.context);
      // A span the processor saw has its own ancestors' ids already.
      if (parent.seen) break;
      link = parent;
    }
    return { entry: withContexts(), complete: true };
  }
}
