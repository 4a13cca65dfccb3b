/**
 * @opentelemetry/instrumentation-aws-sdk (Bedrock Runtime extension) with
 * @aws-sdk/client-bedrock-runtime Converse. The instrumentation patches @smithy internals through
 * the require hook, so it is enabled before the client is loaded with `require` (no manual
 * patching). ConverseStream is not covered: the fake provider does not speak AWS event streams.
 *
 * What the library carries (test/fixtures/spans/opentelemetry-instrumentation-aws-sdk@0.78):
 * `chat {modelId}` CLIENT spans, `gen_ai.system = aws.bedrock`, the provider's input count
 * WITHOUT cache reads and writes and no cache counts, the raw stop reason, no response model;
 * failures as ERROR with an exception event named after the AWS error.
 */
import { AwsInstrumentation } from '@opentelemetry/instrumentation-aws-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_USAGE } from '../../support/fake-provider.js';
import { PROVIDER_ERROR_MESSAGES, chatRow, expectRows, failed, type ExpectedRow } from './expected.js';
import { cacheExcludedAndDropped, inclusiveTokens } from '../../support/token-truth.js';
import { installedVersion, requireCjs, startLab, type Lab } from './harness.js';

let lab: Lab;
let converse: (modelId: string, extra?: object) => Promise<unknown>;

const MODEL_ID = 'anthropic.claude-3-5-haiku-20241022-v1:0';
const toolConfig = {
  tools: [
    {
      toolSpec: {
        name: 'getWeather',
        description: 'Get the weather for a city',
        inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    },
  ],
};

interface BedrockModule {
  BedrockRuntimeClient: new (config: object) => { send(command: unknown): Promise<unknown> };
  ConverseCommand: new (input: object) => unknown;
}

beforeAll(async () => {
  lab = await startLab();
  new AwsInstrumentation().setTracerProvider(lab.tracerProvider);
  const { BedrockRuntimeClient, ConverseCommand } = requireCjs('@aws-sdk/client-bedrock-runtime') as BedrockModule;
  // The Bedrock Runtime client defaults to HTTP/2; the fake provider speaks HTTP/1.1.
  const { NodeHttpHandler } = requireCjs('@smithy/node-http-handler') as { NodeHttpHandler: new () => unknown };
  const client = new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: lab.fake.url,
    credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler(),
  });
  converse = (modelId, extra = {}) =>
    client.send(
      new ConverseCommand({
        modelId,
        system: [{ text: 'You are terse.' }],
        messages: [{ role: 'user', content: [{ text: 'Say hello.' }] }],
        inferenceConfig: { maxTokens: 256, temperature: 0.2 },
        ...extra,
      }),
    );
});
afterAll(() => lab?.close());

const row = (model: string, fields: ExpectedRow): ExpectedRow =>
  chatRow({ span_name: `chat ${model}`, provider: 'aws.bedrock', model, request_model: model, ...fields });

const tokens = (scenario: 'text' | 'tool-call') =>
  cacheExcludedAndDropped(inclusiveTokens('bedrock.converse', FAKE_USAGE['bedrock.converse'][scenario]));

describe(`@opentelemetry/instrumentation-aws-sdk@${installedVersion('@opentelemetry/instrumentation-aws-sdk')} Bedrock Converse`, () => {
  it('records a Converse call with the input the span reports and the stop reason', async () => {
    expectRows(await lab.run(() => converse(MODEL_ID)), [row(MODEL_ID, { ...tokens('text'), finish_reasons: ['stop'] })]);
  });

  it('records tool use as the tool_calls finish reason', async () => {
    expectRows(await lab.run(() => converse(MODEL_ID, { toolConfig })), [
      row(MODEL_ID, { ...tokens('tool-call'), finish_reasons: ['tool_calls'] }),
    ]);
  });

  it('records failed calls with the AWS error name and message', async () => {
    const { bedrock } = PROVIDER_ERROR_MESSAGES;
    expectRows(await lab.run(() => converse('fake-error-429')), [
      row('fake-error-429', failed('ThrottlingException', expect.stringContaining(bedrock[429]))),
    ]);
    expectRows(await lab.run(() => converse('fake-error-400')), [
      row('fake-error-400', failed('ValidationException', expect.stringContaining(bedrock[400]))),
    ]);
  });
});
