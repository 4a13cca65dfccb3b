/**
 * A conversation drawn as messages by role. Long agent loops keep their first messages (system,
 * task) and their latest ones on screen with the middle behind one click, and a long text shows
 * its head until asked: a megabyte payload renders a few hundred nodes, not a megabyte of them.
 */
import { useState } from 'preact/hooks';
import type { Message, Part } from '../conversation.js';
import { formatBytes, formatInt } from '../format.js';

const HEAD_MESSAGES = 4;
const TAIL_MESSAGES = 24;
const TEXT_CHARS = 3000;

export function ConversationView({ messages, label }: { messages: Message[]; label: string }) {
  const [all, setAll] = useState(false);
  const hidden = all ? 0 : Math.max(0, messages.length - HEAD_MESSAGES - TAIL_MESSAGES);
  const shown =
    hidden === 0
      ? messages.map((m, i) => [m, i] as const)
      : [
          ...messages.slice(0, HEAD_MESSAGES).map((m, i) => [m, i] as const),
          ...messages.slice(-TAIL_MESSAGES).map((m, i) => [m, messages.length - TAIL_MESSAGES + i] as const),
        ];
  if (messages.length === 0) return <p class="muted">No messages in this payload.</p>;
  return (
    <div class="conversation" data-conversation={label}>
      {shown.map(([message, index]) => [
        hidden > 0 && index === messages.length - TAIL_MESSAGES ? (
          <button key="more" type="button" class="hidden-messages" onClick={() => setAll(true)}>
            Show {formatInt(hidden)} more messages
          </button>
        ) : null,
        <MessageView key={index} message={message} index={index} />,
      ])}
    </div>
  );
}

function MessageView({ message, index }: { message: Message; index: number }) {
  return (
    <div class={`message role-${roleClass(message.role)}`} data-role={message.role} data-index={index}>
      <div class="role">
        {message.role}
        {message.name && <span class="muted"> {message.name}</span>}
      </div>
      <div class="parts">
        {message.parts.length === 0 && <span class="muted">(empty)</span>}
        {message.parts.map((part, i) => (
          <PartView key={i} part={part} />
        ))}
      </div>
    </div>
  );
}

const roleClass = (role: string) => (['system', 'developer', 'user', 'assistant', 'tool'].includes(role) ? role : 'other');

function PartView({ part }: { part: Part }) {
  switch (part.kind) {
    case 'text':
      return <LongText text={part.text} class="text" />;
    case 'reasoning':
      return (
        <details class="reasoning">
          <summary>Reasoning · {formatInt(part.text.length)} chars</summary>
          <LongText text={part.text} class="text" />
        </details>
      );
    case 'tool_call':
      return (
        <div class="tool-call" data-tool-call={part.name}>
          <div class="tool-head">
            <span class="tool-icon">ƒ</span> <strong>{part.name || '(unnamed tool)'}</strong>
            {part.id && <span class="muted mono"> {part.id}</span>}
          </div>
          <LongText text={part.arguments} class="mono args" />
        </div>
      );
    case 'tool_result':
      return (
        <div class={`tool-result${part.isError ? ' is-error' : ''}`} data-tool-result={part.name || part.id}>
          <div class="tool-head">
            <span class="tool-icon">↩</span> result of <strong>{part.name || 'tool'}</strong>
            {part.id && <span class="muted mono"> {part.id}</span>}
            {part.isError && <span class="badge badge-error">error</span>}
          </div>
          <LongText text={part.content} class="mono args" />
        </div>
      );
    case 'media':
      return (
        <div class="media" data-media={part.mediaType} title={part.source && part.source !== 'inline' ? part.source : undefined}>
          <span class="media-icon">▣</span> {part.media} · {part.mediaType}
          {part.bytes !== null ? ` · ${formatBytes(part.bytes)}` : part.source ? ` · ${part.source.slice(0, 80)}` : ''}
          <span class="muted"> (not displayed)</span>
        </div>
      );
    case 'other':
      return (
        <div class="other-part">
          <span class="muted">{part.label}</span>
          <LongText text={part.json} class="mono args" />
        </div>
      );
  }
}

/** The head of a long text, the rest on request. */
export function LongText({ text, class: className }: { text: string; class: string }) {
  const [open, setOpen] = useState(false);
  const cut = !open && text.length > TEXT_CHARS;
  return (
    <div class={className}>
      {cut ? text.slice(0, TEXT_CHARS) : text}
      {cut && (
        <button type="button" class="more" onClick={() => setOpen(true)}>
          … show all {formatInt(text.length)} characters
        </button>
      )}
    </div>
  );
}
