/**
 * The spans a run view shows: the root, LLM calls, tool executions, agent steps and
 * time-to-first-token markers, in every span convention the exporter understands. HTTP, database
 * and framework-internal spans are left out. Column names are the Collector's `otel_traces` ones.
 *
 * Regular expressions use character classes instead of backslashes, which would need escaping
 * once for the SQL string literal and again for the regex.
 */
export const UI_SPAN_CONDITION = `(
  ParentSpanId = ''
  OR SpanAttributes['gen_ai.operation.name'] IN ('chat', 'text_completion', 'generate_content', 'embeddings', 'execute_tool', 'invoke_agent')
  OR SpanAttributes['openinference.span.kind'] IN ('LLM', 'EMBEDDING', 'TOOL', 'AGENT', 'CHAIN')
  OR mapContains(SpanAttributes, 'gen_ai.tool.name')
  OR arrayExists(key -> startsWith(key, 'llm_traces.request'), mapKeys(SpanAttributes))
  OR match(SpanName, '^ai[.][A-Za-z]+[.](doGenerate|doStream|doEmbed)$')
  OR startsWith(SpanName, 'ai.toolCall')
  OR startsWith(SpanName, 'execute_tool')
  OR startsWith(SpanName, 'invoke_agent')
  OR match(lower(SpanName), '^step [0-9]+$|agent[._ ]?step')
  OR positionCaseInsensitive(SpanName, 'time_to_first_token') > 0
  OR positionCaseInsensitive(SpanName, 'ttft') > 0
)`;
