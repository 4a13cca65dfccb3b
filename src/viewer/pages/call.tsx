/**
 * One LLM call: the request as a conversation, the response and finish reason, both raw payloads,
 * the token and cost breakdown with the price entry behind it, timing, the error, and every id.
 * Payloads are fetched separately; above AUTO_LOAD_BYTES only when asked for.
 */
import { useMemo, useState } from 'preact/hooks';
import { useApi } from '../api.js';
import type { CallDetail, CostPart, PayloadBody } from '../../server/viewer-api/types.js';
import { ConversationView } from '../components/conversation-view.js';
import { JsonView } from '../components/json-view.js';
import { Badge, CopyButton, Cost, ErrorView, Facts, PageHead, Section, Skeleton, Status } from '../components/ui.js';
import { requestConversation, responseConversation, type Conversation } from '../conversation.js';
import { exactCost, formatBytes, formatCost, formatInt, formatMs, formatRate, formatTimestamp, UNKNOWN } from '../format.js';
import { href, runHref, traceHref, type Route } from '../router.js';

/** Payloads up to this size load with the page; larger ones wait for a click. */
export const AUTO_LOAD_BYTES = 256 * 1024;
/** The most the viewer asks for at once (the API's default gate). */
const MAX_BYTES = 2 * 1024 * 1024;

const PART_LABELS: Record<CostPart['part'], string> = {
  input: 'Input, uncached',
  cache_read: 'Input, cache read',
  cache_write: 'Input, cache write',
  output: 'Output, reasoning included',
};

const statusText = (c: CallDetail) => c.error_type || (c.status_code === null ? '' : String(c.status_code));

export default function CallPage({ route }: { route: Route }) {
  const call = useApi<CallDetail>(`calls/${encodeURIComponent(route.id)}`);
  if (call.error) return <ErrorView error={call.error} retry={call.reload} />;
  const c = call.data;
  if (!c || c.id !== route.id) return <Skeleton rows={16} />;
  return (
    <div class="page call-page">
      <PageHead
        title={
          <span>
            {c.model || c.request_model || 'LLM call'} <Status error={c.is_error} type={statusText(c)} />
          </span>
        }
        sub={
          <span>
            <span class="mono" title="call id">
              {c.id}
            </span>{' '}
            <CopyButton text={c.id} label="Copy id" /> · {c.provider || 'unknown provider'} · {c.call_type || 'call'} ·{' '}
            {formatTimestamp(c.time)}
          </span>
        }
        actions={
          <>
            {c.trace_id && (
              <a class="button" href={traceHref(c.trace_id, c.span_id)} data-link="trace">
                Trace
              </a>
            )}
            {c.run_id && (
              <a class="button" href={runHref(c.run_id)} data-link="run">
                Run
              </a>
            )}
            <a class="button" href={href('/compare', { kind: 'call', a: c.id, run: c.run_id })}>
              Compare with…
            </a>
          </>
        }
      />
      <div class="detail-grid">
        <div class="detail-main">
          {c.is_error && (
            <div class="failure failure-call" data-call-error>
              <strong>{c.error_type || 'error'}</strong>
              {c.status_code && <span class="muted"> · status {c.status_code}</span>}
              <p class="pre">{c.error_message || 'No error message was recorded.'}</p>
            </div>
          )}
          <PayloadSection
            callId={c.id}
            part="request"
            size={c.request_size_bytes}
            stored={c.request_stored_bytes}
            capped={c.request_capped}
          />
          <PayloadSection
            callId={c.id}
            part="response"
            size={c.response_size_bytes}
            stored={c.response_stored_bytes}
            capped={c.response_capped}
            finishReasons={c.finish_reasons}
            assembled={c.response_assembled}
          />
        </div>
        <aside class="detail-side">
          <Section title="Tokens and cost">
            <CostTable call={c} />
          </Section>
          <Section title="Timing">
            <Facts
              rows={[
                ['Latency', formatMs(c.latency_ms)],
                ['Time to first token', formatMs(c.ttft_ms)],
                ['Output speed', c.tokens_per_second === null ? UNKNOWN : `${c.tokens_per_second.toFixed(1)} tokens/s`],
                ['Started', formatTimestamp(c.time)],
              ]}
            />
          </Section>
          <Section title="Context">
            <Facts
              rows={[
                ['Organization', <span class="mono">{c.organization_id || '(default)'}</span>],
                ['Project', c.project_id],
                ['Agent', c.agent_id && <a href={href('/calls', { agent_id: c.agent_id })}>{c.agent_id}</a>],
                [
                  'Run',
                  c.run_id && (
                    <a href={runHref(c.run_id)} class="mono">
                      {c.run_id}
                    </a>
                  ),
                ],
                ['Step', c.step_id && <span class="mono">{c.step_id}</span>],
                ['User', c.user_id],
                ['Conversation', c.conversation_id],
                [
                  'Trace',
                  c.trace_id && (
                    <a href={traceHref(c.trace_id, c.span_id)} class="mono">
                      {c.trace_id}
                    </a>
                  ),
                ],
                ['Span', c.span_id && <span class="mono">{c.span_id}</span>],
                ['Requested model', c.request_model !== c.model ? c.request_model : ''],
                [
                  'Tags',
                  c.tags.length
                    ? c.tags.map((tag) => (
                        <a key={tag} class="tag" href={href('/calls', { tag })}>
                          {tag}
                        </a>
                      ))
                    : '',
                ],
                ...Object.entries(c.billing).map(([key, value]) => [`Billing ${key.replace(/_/g, ' ')}`, value] as [string, string]),
                ...Object.entries(c.metadata).map(
                  ([key, value]) => [key, <span class="mono">{value}</span>] as [string, preact.ComponentChildren],
                ),
              ]}
            />
          </Section>
        </aside>
      </div>
    </div>
  );
}

function CostTable({ call: c }: { call: CallDetail }) {
  const input = c.cost_breakdown.filter((p) => p.part === 'input' || p.part === 'cache_read' || p.part === 'cache_write');
  const output = c.cost_breakdown.filter((p) => p.part === 'output');
  const row = (p: CostPart) => (
    <tr key={p.part} data-cost-part={p.part}>
      <td>{PART_LABELS[p.part]}</td>
      <td class="num">{formatInt(p.tokens)}</td>
      <td class="num muted">{p.unit_price_per_mtok === null ? UNKNOWN : `${formatRate(p.unit_price_per_mtok)}/M`}</td>
      {/* Tokens the provider did not report cost nothing known: a dash, not $0. */}
      <td class="num" title={p.cost_usd === null ? undefined : exactCost(p.cost_usd)}>
        {p.cost_usd === null || p.tokens === null ? UNKNOWN : formatCost(p.cost_usd)}
      </td>
    </tr>
  );
  if (!c.has_usage)
    return (
      <p class="muted">The provider reported no token usage for this call, so it has no tokens or cost to show (not zero: unknown).</p>
    );
  return (
    <>
      <table class="data cost-table">
        <thead>
          <tr>
            <th>Part</th>
            <th class="num">Tokens</th>
            <th class="num">Price</th>
            <th class="num">Cost</th>
          </tr>
        </thead>
        <tbody>
          {input.map(row)}
          <tr class="subtotal">
            <td>Prompt (input)</td>
            <td class="num" data-total="prompt">
              {formatInt(c.prompt_tokens)}
            </td>
            <td />
            <td />
          </tr>
          {output.map(row)}
          {c.reasoning_tokens !== null && (
            <tr class="sub" data-cost-part="reasoning">
              <td>of which reasoning</td>
              <td class="num">{formatInt(c.reasoning_tokens)}</td>
              <td />
              <td class="num muted">in output</td>
            </tr>
          )}
          <tr class="subtotal">
            <td>Completion (output)</td>
            <td class="num" data-total="completion">
              {formatInt(c.completion_tokens)}
            </td>
            <td />
            <td />
          </tr>
          <tr class="total">
            <td>Total</td>
            <td class="num">{formatInt(c.total_tokens)}</td>
            <td />
            <td class="num" data-total="cost">
              <Cost value={c.cost_usd} priced={c.priced} />
            </td>
          </tr>
        </tbody>
      </table>
      <p class="price-entry" data-price-entry>
        {c.price_entry ? (
          <>
            Priced by <strong>{c.price_entry.model}</strong>
            {c.price_entry.providers && ` (${c.price_entry.providers.join(', ')})`}
            {c.price_entry.effective_from && `, effective ${c.price_entry.effective_from}`} ·{' '}
            <span class="mono">{c.cost_source || c.price_entry.source}</span> ·{' '}
            <a href={href('/prices', { model: c.price_entry.model })}>prices</a>
          </>
        ) : c.priced ? (
          <>The span provided this cost itself.</>
        ) : (
          <>
            <Badge tone="warn">unpriced</Badge> No price is known for <strong>{c.model || c.request_model}</strong>.{' '}
            <a href={href('/prices', { model: c.model })}>Try a price</a>.
          </>
        )}
      </p>
    </>
  );
}

function PayloadSection({
  callId,
  part,
  size,
  stored,
  capped,
  finishReasons = [],
  assembled,
}: {
  callId: string;
  part: 'request' | 'response';
  /** Bytes the application produced, and bytes stored (smaller when capped). */
  size: number;
  stored: number;
  capped: boolean;
  finishReasons?: string[];
  assembled?: boolean;
}) {
  const [wanted, setWanted] = useState(stored <= AUTO_LOAD_BYTES);
  const [view, setView] = useState<'conversation' | 'json'>('conversation');
  const payload = useApi<PayloadBody>(wanted && stored > 0 ? `calls/${encodeURIComponent(callId)}/payload` : null, {
    part,
    max_bytes: MAX_BYTES,
  });
  const json = payload.data?.json ?? '';
  const parsed = useMemo<Conversation | null>(
    () => (json === '' ? null : part === 'request' ? requestConversation(json) : responseConversation(json)),
    [json],
  );
  const title = part === 'request' ? 'Request' : 'Response';
  return (
    <Section
      id={`payload-${part}`}
      title={
        <span>
          {title}
          <span class="muted"> · {formatBytes(size)}</span>
          {parsed && parsed.format !== 'text' && <span class="muted"> · {parsed.format}</span>}
          {part === 'response' &&
            (finishReasons.length ? finishReasons : (parsed?.finishReasons ?? [])).map((reason) => (
              <span key={reason}>
                {' '}
                <Badge tone={['stop', 'end_turn', 'STOP', 'completed'].includes(reason) ? 'plain' : 'warn'} title="finish reason">
                  {reason}
                </Badge>
              </span>
            ))}
        </span>
      }
      actions={
        payload.data && (
          <div class="seg-group">
            <button
              type="button"
              class={`seg${view === 'conversation' ? ' on' : ''}`}
              onClick={() => setView('conversation')}
              disabled={!parsed}
            >
              Conversation
            </button>
            <button type="button" class={`seg${view === 'json' ? ' on' : ''}`} onClick={() => setView('json')} data-view-json={part}>
              JSON
            </button>
          </div>
        )
      }
    >
      {stored === 0 && <p class="muted">No {part} payload was stored (payload storage off, or the instrumentation recorded none).</p>}
      {stored > 0 && !wanted && (
        <button type="button" class="load-payload" onClick={() => setWanted(true)} data-load-payload={part}>
          Load the {part} ({formatBytes(stored)})
        </button>
      )}
      {(capped || payload.data?.capped) && (
        <p class="notice">
          Stored cut at the exporter's payload cap: {formatBytes(size)} were produced, {formatBytes(stored)} kept; the end is missing.
        </p>
      )}
      {payload.data?.truncated && <p class="notice">Only the first {formatBytes(MAX_BYTES)} are shown here.</p>}
      {assembled && payload.data && <p class="muted small">Assembled from span attributes, not the provider's raw body.</p>}
      {payload.error && <ErrorView error={payload.error} retry={payload.reload} />}
      {wanted && stored > 0 && !payload.data && !payload.error && <Skeleton rows={4} />}
      {payload.data &&
        (view === 'json' || !parsed ? <JsonView text={json} label={part} /> : <ConversationView messages={parsed.messages} label={part} />)}
      {payload.data &&
        parsed &&
        view === 'conversation' &&
        part === 'request' &&
        (parsed.tools.length > 0 || Object.keys(parsed.parameters).length > 0) && (
          <div class="request-extras">
            {parsed.tools.length > 0 && (
              <div>
                <span class="muted">Tools offered:</span>{' '}
                {parsed.tools.map((tool) => (
                  <span key={tool.name} class="tag" title={tool.description}>
                    {tool.name}
                  </span>
                ))}
              </div>
            )}
            {Object.keys(parsed.parameters).length > 0 && (
              <div class="mono small">
                {Object.entries(parsed.parameters)
                  .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`)
                  .join('  ')}
              </div>
            )}
          </div>
        )}
    </Section>
  );
}
