/** What an empty store shows: how to send the first spans to this server. */
import { CopyButton } from './ui.js';

export function EmptyStore() {
  const endpoint = location.origin;
  const register = `OTEL_EXPORTER_CLICKHOUSE_ENDPOINT=${endpoint} node --import llm-traces/register app.js`;
  return (
    <div class="page empty-store" data-empty-store>
      <h1>No LLM calls stored yet</h1>
      <p>This server is running and its store is empty. Send spans from any OpenTelemetry-instrumented Node app:</p>
      <ol class="steps">
        <li>
          <p>
            Install the package next to your app: <code>npm install llm-traces</code>
          </p>
        </li>
        <li>
          <p>Start your app with the exporter pointed at this server (no code changes):</p>
          <div class="command">
            <code>{register}</code>
            <CopyButton text={register} />
          </div>
        </li>
        <li>
          <p>Or configure it with these environment variables (all optional):</p>
          <table class="data env">
            <tbody>
              <tr>
                <td>
                  <code>OTEL_EXPORTER_CLICKHOUSE_ENDPOINT</code>
                </td>
                <td>
                  this server, <code>{endpoint}</code> (unset: an embedded store in <code>./.llm-traces</code>)
                </td>
              </tr>
              <tr>
                <td>
                  <code>OTEL_EXPORTER_CLICKHOUSE_USERNAME</code> / <code>_PASSWORD</code>
                </td>
                <td>when the server was started with --user / --password</td>
              </tr>
              <tr>
                <td>
                  <code>OTEL_EXPORTER_CLICKHOUSE_DATABASE</code>
                </td>
                <td>
                  database, default <code>otel</code>
                </td>
              </tr>
              <tr>
                <td>
                  <code>OTEL_SERVICE_NAME</code>
                </td>
                <td>the service name shown on every span</td>
              </tr>
            </tbody>
          </table>
        </li>
        <li>
          <p>
            Add your instrumentation as usual (OpenAI, Anthropic, the Vercel AI SDK, OpenInference, OpenLLMetry). Calls appear here within
            seconds; this page checks again when you reload it.
          </p>
        </li>
      </ol>
    </div>
  );
}
