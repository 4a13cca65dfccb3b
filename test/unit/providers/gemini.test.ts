import { describe, expect, it } from 'vitest';
import { readProviderPayload } from '../../../src/providers/index.js';

// vercel/ai packages/google/src/__fixtures__/google-reasoning.json (thought signature shortened).
const THINKING = {
  candidates: [
    {
      content: {
        parts: [{ text: 'There are **3** "r"s in strawberry.', thoughtSignature: 'EvsFCvgFAb4' }],
        role: 'model',
      },
      finishReason: 'STOP',
      index: 0,
    },
  ],
  usageMetadata: {
    promptTokenCount: 9,
    candidatesTokenCount: 29,
    totalTokenCount: 320,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: 9 }],
    thoughtsTokenCount: 282,
  },
  modelVersion: 'gemini-3-pro-preview',
  responseId: 'YH6LaZT7ENmPxN8P-r2J8Aw',
};

describe('Gemini generateContent', () => {
  it('adds thoughts to candidates for the inclusive completion', () => {
    expect(readProviderPayload(THINKING, 'gcp.gemini')).toEqual({
      usage: { promptTokens: 9, completionTokens: 29 + 282, totalTokens: 320, reasoningTokens: 282 },
      model: 'gemini-3-pro-preview',
      finishReasons: ['stop'],
    });
  });

  it('keeps cached content inside the prompt and adds tool-use prompt tokens to it', () => {
    // vercel/ai packages/google/src/__fixtures__/issue-19822-complete-usage.json
    const body = {
      candidates: [{ content: { parts: [{ text: '42' }], role: 'model' }, finishReason: 'STOP', index: 0 }],
      usageMetadata: {
        promptTokenCount: 19,
        cachedContentTokenCount: 3,
        candidatesTokenCount: 4,
        toolUsePromptTokenCount: 63,
        thoughtsTokenCount: 56,
        totalTokenCount: 142,
        serviceTier: 'standard',
      },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'sanitized-issue-19822-generate',
    };
    expect(readProviderPayload(body)).toEqual({
      usage: {
        promptTokens: 19 + 63,
        completionTokens: 4 + 56,
        totalTokens: 142,
        cachedInputTokens: 3,
        reasoningTokens: 56,
      },
      model: 'gemini-2.5-flash',
      finishReasons: ['stop'],
    });
  });

  it('reports a stop to call a function as tool_calls', () => {
    const body = {
      candidates: [
        {
          content: { parts: [{ functionCall: { name: 'get_weather', args: { city: 'Paris' } } }], role: 'model' },
          finishReason: 'STOP',
          index: 0,
        },
      ],
      usageMetadata: { promptTokenCount: 31, candidatesTokenCount: 6, totalTokenCount: 37 },
      modelVersion: 'gemini-2.0-flash',
    };
    expect(readProviderPayload(body)?.finishReasons).toEqual(['tool_calls']);
  });

  it.each([
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', 'malformed_function_call'],
  ])('maps finishReason %s to %s', (finishReason, expected) => {
    const body = { ...THINKING, candidates: [{ ...THINKING.candidates[0], finishReason }] };
    expect(readProviderPayload(body)?.finishReasons).toEqual([expected]);
  });

  it('reads a blocked prompt: promptFeedback.blockReason, prompt-only usage', () => {
    // vercel/ai packages/google/src/__fixtures__/issue-19758-prompt-block.json
    const body = {
      promptFeedback: { blockReason: 'PROHIBITED_CONTENT' },
      usageMetadata: {
        promptTokenCount: 9,
        totalTokenCount: 9,
        promptTokensDetails: [{ modality: 'TEXT', tokenCount: 9 }],
        serviceTier: 'standard',
      },
      modelVersion: 'gemini-3.7-flash',
      responseId: 'EXCPaojyHaDUjMcP656rqAk',
    };
    expect(readProviderPayload(body)).toEqual({
      usage: { promptTokens: 9, totalTokens: 9 },
      model: 'gemini-3.7-flash',
      finishReasons: ['content_filter'],
    });
  });

  it('reads the error body, status before numeric code', () => {
    // vercel/ai packages/google/src/__fixtures__/google-429-retry-info.json
    const body = {
      error: {
        code: 429,
        message: 'You exceeded your current quota, please check your plan.',
        status: 'RESOURCE_EXHAUSTED',
        details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '34.4s' }],
      },
    };
    expect(readProviderPayload(body)).toEqual({
      error: { type: 'RESOURCE_EXHAUSTED', message: 'You exceeded your current quota, please check your plan.' },
    });
  });

  it('folds streamed chunks: running usage from the last chunk, finish reason from the last candidate', () => {
    // vercel/ai packages/google/src/__fixtures__/google-reasoning.chunks.txt (signature shortened)
    const usageMetadata = (candidatesTokenCount: number, totalTokenCount: number) => ({
      promptTokenCount: 9,
      candidatesTokenCount,
      totalTokenCount,
      promptTokensDetails: [{ modality: 'TEXT', tokenCount: 9 }],
      thoughtsTokenCount: 256,
    });
    const chunks = [
      {
        candidates: [{ content: { parts: [{ text: 'There are **3** "r"s in' }], role: 'model' }, index: 0 }],
        usageMetadata: usageMetadata(10, 275),
        modelVersion: 'gemini-3-pro-preview',
        responseId: 'dX6LadKVC7SZ28oPr9yJoQs',
      },
      {
        candidates: [{ content: { parts: [{ text: ' strawberry.' }], role: 'model' }, index: 0 }],
        usageMetadata: usageMetadata(29, 294),
        modelVersion: 'gemini-3-pro-preview',
        responseId: 'dX6LadKVC7SZ28oPr9yJoQs',
      },
      {
        candidates: [
          {
            content: { parts: [{ text: '', thoughtSignature: 'Eo0HCooHAb4' }], role: 'model' },
            finishReason: 'STOP',
            index: 0,
          },
        ],
        usageMetadata: usageMetadata(29, 294),
        modelVersion: 'gemini-3-pro-preview',
        responseId: 'dX6LadKVC7SZ28oPr9yJoQs',
      },
    ];
    expect(readProviderPayload(chunks, 'gcp.vertex_ai')).toEqual({
      usage: { promptTokens: 9, completionTokens: 29 + 256, totalTokens: 294, reasoningTokens: 256 },
      model: 'gemini-3-pro-preview',
      finishReasons: ['stop'],
    });
  });
});
