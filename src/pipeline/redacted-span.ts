/**
 * The first step of the conversion: secrets are redacted once, on the span view both rows are built
 * from, so detection, payloads and otel_traces attributes all see the redacted values.
 */
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { redactTypedAttributes } from '../redaction/credentials.js';

/** The span with its attributes and event attributes redacted; the span itself when nothing changed. */
export function redactedView(span: ReadableSpan): ReadableSpan {
  const attributes = redactTypedAttributes(span.attributes);
  let events = span.events;
  for (let i = 0; i < span.events.length; i++) {
    const event = span.events[i]!;
    const redacted = event.attributes ? redactTypedAttributes(event.attributes) : undefined;
    if (redacted !== event.attributes) {
      if (events === span.events) events = [...span.events];
      events[i] = { ...event, attributes: redacted };
    }
  }
  if (attributes === span.attributes && events === span.events) return span;
  // The view keeps the span's methods (spanContext) through its prototype chain.
  return Object.create(span, { attributes: { value: attributes }, events: { value: events } }) as ReadableSpan;
}
