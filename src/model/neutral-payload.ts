/**
 * Provider-neutral request and response documents, built when a span carries no raw provider
 * payload. One shape whatever convention the data came from, so readers can rely on it.
 */
import type { TokenUsage } from './llm-call.js';

export interface NeutralRequest {
  model?: string;
  messages?: unknown;
  system?: unknown;
  tools?: unknown;
  parameters?: Record<string, unknown>;
}

export interface NeutralResponse {
  id?: string;
  model?: string;
  messages?: unknown;
  finishReasons?: string[];
  usage?: TokenUsage;
}

/**
 * JSON text that is known to be valid (an attribute that parsed), embedded in a document as it
 * is: message arrays are the largest values an LLM span has, and serializing them again after
 * parsing would double their cost.
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** JSON text of the defined fields, or undefined when there is nothing to say. */
function compact(fields: Record<string, unknown>): string | undefined {
  const members: string[] = [];
  for (const key in fields) {
    const value = fields[key];
    if (value === undefined) continue;
    if (value instanceof RawJson) members.push(`${JSON.stringify(key)}:${value.text}`);
    else if (typeof value !== 'object' || value === null || Object.keys(value).length > 0)
      members.push(`${JSON.stringify(key)}:${JSON.stringify(value)}`);
  }
  return members.length > 0 ? `{${members.join(',')}}` : undefined;
}

export function neutralRequestJson(request: NeutralRequest): string | undefined {
  if (request.messages === undefined && request.system === undefined && request.tools === undefined && request.parameters === undefined) {
    return undefined;
  }
  return compact({
    model: request.model,
    messages: request.messages,
    system: request.system,
    tools: request.tools,
    parameters: request.parameters,
  });
}

export function neutralResponseJson(response: NeutralResponse): string | undefined {
  if (response.messages === undefined && response.id === undefined) return undefined;
  return compact({
    id: response.id,
    model: response.model,
    messages: response.messages,
    finish_reasons: response.finishReasons,
    usage: response.usage,
  });
}
