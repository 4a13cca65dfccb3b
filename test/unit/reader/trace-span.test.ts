import { describe, expect, it } from 'vitest';
import { normalizeSpanKind, normalizeStatusCode, toTraceSpan, type TraceSpanRow } from '../../../src/reader/trace-span.js';

const row: TraceSpanRow = {
  timestamp: '1795346763970123457',
  traceId: '0af7651916cd43dd8448eb211c80319c',
  spanId: 'b7ad6b7169203331',
  parentSpanId: '',
  traceState: '',
  spanName: 'chat gpt-4o',
  spanKind: 'SPAN_KIND_CLIENT',
  serviceName: 'api',
  resourceAttributes: { 'service.name': 'api' },
  scopeName: null,
  scopeVersion: null,
  spanAttributes: { 'gen_ai.operation.name': 'chat' },
  duration: '1500000',
  statusCode: 'STATUS_CODE_ERROR',
  statusMessage: 'boom',
  eventsTimestamp: ['1795346763971000001'],
  eventsName: ['exception'],
  eventsAttributes: [{ 'exception.type': 'RateLimitError' }],
  linksTraceId: ['11111111111111111111111111111111'],
  linksSpanId: ['2222222222222222'],
  linksTraceState: ['k=v'],
  linksAttributes: [{}],
};

describe('trace spans', () => {
  it('normalizes the protobuf enum names older Collectors wrote', () => {
    expect(normalizeSpanKind('SPAN_KIND_SERVER')).toBe('Server');
    expect(normalizeSpanKind('SPAN_KIND_UNSPECIFIED')).toBe('Unspecified');
    expect(normalizeSpanKind('Internal')).toBe('Internal');
    expect(normalizeStatusCode('STATUS_CODE_OK')).toBe('Ok');
    expect(normalizeStatusCode('STATUS_CODE_ERROR')).toBe('Error');
    expect(normalizeStatusCode('Unset')).toBe('Unset');
  });

  it('maps a row to a span, with events and links zipped and missing columns empty', () => {
    expect(toTraceSpan(row)).toEqual({
      timestamp: new Date('2026-11-22T11:26:03.970Z'),
      timestampNs: '1795346763970123457',
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      parentSpanId: '',
      traceState: '',
      spanName: 'chat gpt-4o',
      spanKind: 'Client',
      serviceName: 'api',
      resourceAttributes: { 'service.name': 'api' },
      scopeName: '',
      scopeVersion: '',
      spanAttributes: { 'gen_ai.operation.name': 'chat' },
      durationNs: '1500000',
      durationMs: 1.5,
      statusCode: 'Error',
      statusMessage: 'boom',
      events: [
        {
          timestamp: new Date('2026-11-22T11:26:03.971Z'),
          timestampNs: '1795346763971000001',
          name: 'exception',
          attributes: { 'exception.type': 'RateLimitError' },
        },
      ],
      links: [{ traceId: '11111111111111111111111111111111', spanId: '2222222222222222', traceState: 'k=v', attributes: {} }],
    });
  });
});
