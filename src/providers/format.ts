import type { ProviderPayloadFacts } from '../model/llm-call.js';
import type { JsonObject } from '../model/json.js';

/** How one provider API's streamed chunks or events fold into a body `read` understands. */
export interface StreamFormat {
  /** True when `event` is one of this API's stream chunks or events. */
  matches(event: JsonObject): boolean;
  /** The equivalent non-streaming body (usage totals, finish reasons, model, error). */
  fold(events: readonly JsonObject[]): JsonObject;
}

/** One provider API's response and error bodies. Pure: no I/O, never throws. */
export interface ProviderFormat {
  readonly name: string;
  /** The `gen_ai.provider.name` value of the API's owner. */
  readonly provider: string;
  /** True when the body has this API's response or error shape. */
  matches(body: JsonObject): boolean;
  read(body: JsonObject): ProviderPayloadFacts;
  readonly stream?: StreamFormat;
}
