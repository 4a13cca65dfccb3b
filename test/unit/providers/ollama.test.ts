import { describe, expect, it } from 'vitest';
import { readProviderPayload } from '../../../src/providers/index.js';

// Shapes of ollama/ollama-js src/interfaces.ts `ChatResponse` and `GenerateResponse`.
const CHAT = {
  model: 'llama3.2',
  created_at: '2023-12-12T14:13:43.416799Z',
  message: { role: 'assistant', content: 'Hello! How are you today?' },
  done: true,
  done_reason: 'stop',
  total_duration: 5191566416,
  load_duration: 2154458,
  prompt_eval_count: 26,
  prompt_eval_duration: 383809000,
  eval_count: 298,
  eval_duration: 4799921000,
};

const GENERATE = {
  model: 'qwen3:8b',
  created_at: '2025-05-07T10:12:37.361516Z',
  response: 'The sky is blue because of Rayleigh scattering.',
  done: true,
  done_reason: 'length',
  context: [151644, 872, 198],
  total_duration: 10706818083,
  load_duration: 6338219291,
  prompt_eval_count: 14,
  prompt_eval_duration: 130079000,
  eval_count: 128,
  eval_duration: 4232710000,
};

describe('Ollama', () => {
  it('reads /api/chat', () => {
    expect(readProviderPayload(CHAT, 'ollama')).toEqual({
      usage: { promptTokens: 26, completionTokens: 298, totalTokens: 324 },
      model: 'llama3.2',
      finishReasons: ['stop'],
    });
  });

  it('reads /api/generate', () => {
    expect(readProviderPayload(GENERATE)).toEqual({
      usage: { promptTokens: 14, completionTokens: 128, totalTokens: 142 },
      model: 'qwen3:8b',
      finishReasons: ['length'],
    });
  });

  it('reports no prompt count and no total when Ollama served the whole prompt from cache', () => {
    const { prompt_eval_count: _omitted, prompt_eval_duration: _duration, ...cached } = CHAT;
    expect(readProviderPayload(cached)?.usage).toEqual({ completionTokens: 298 });
  });

  it('folds NDJSON chunks: counts and done_reason come with the final chunk', () => {
    const partial = (content: string) => ({
      model: 'llama3.2',
      created_at: '2023-12-12T14:13:43.416799Z',
      message: { role: 'assistant', content },
      done: false,
    });
    const chunks = [partial('Hello'), partial('!'), { ...CHAT, message: { role: 'assistant', content: '' } }];
    expect(
      readProviderPayload(
        chunks.map((chunk) => JSON.stringify(chunk)),
        'ollama',
      ),
    ).toEqual(readProviderPayload(CHAT));
  });

  it('reads the error body, also as a stream chunk', () => {
    const error = { error: 'model "llama9" not found, try pulling it first' };
    expect(readProviderPayload(error, 'ollama')).toEqual({ error: { message: error.error } });
    const partial = { model: 'llama3.2', created_at: '2023-12-12T14:13:43.416799Z', response: 'The', done: false };
    expect(readProviderPayload([partial, error])).toEqual({ error: { message: error.error }, model: 'llama3.2' });
  });

  it('reads the OpenAI-compatible /v1 endpoint with the OpenAI chat format despite the hint', () => {
    const body = {
      id: 'chatcmpl-540',
      object: 'chat.completion',
      created: 1746612757,
      model: 'llama3.2',
      system_fingerprint: 'fp_ollama',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 26, completion_tokens: 2, total_tokens: 28 },
    };
    expect(readProviderPayload(body, 'ollama')).toEqual({
      usage: { promptTokens: 26, completionTokens: 2, totalTokens: 28 },
      model: 'llama3.2',
      finishReasons: ['stop'],
    });
  });
});
