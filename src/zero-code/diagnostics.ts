/**
 * What `llm-traces/register` shows of OpenTelemetry's diagnostics. With OTEL_LOG_LEVEL set, every
 * component logs to the console at that level, as the OTel SDK's own entry points do. Without it,
 * llm-traces' own warnings and errors (a wrong password, a missing package, a store in use) still
 * reach stderr, each once, so a zero-code app never fails in silence; an app that sets its own
 * diag logger replaces this one and gets them there instead.
 */
import { diag, DiagConsoleLogger, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { diagLogLevelFromString, getStringFromEnv } from '@opentelemetry/core';

/** The component loggers of this package pass their namespace first (DiagComponentLogger). */
const NAMESPACE = 'llm-traces';

/** Prints llm-traces' own lines to stderr, once each; everything else stays silent, as without a logger. */
export class LlmTracesStderrLogger implements DiagLogger {
  private readonly printed = new Set<string>();

  constructor(private readonly write: (line: string) => void = (line) => process.stderr.write(`${line}\n`)) {}

  error(namespace: string, ...args: unknown[]): void {
    this.print(namespace, args);
  }
  warn(namespace: string, ...args: unknown[]): void {
    this.print(namespace, args);
  }
  info(): void {}
  debug(): void {}
  verbose(): void {}

  private print(namespace: string, args: unknown[]): void {
    if (namespace !== NAMESPACE) return;
    const text = args.map((arg) => (arg instanceof Error ? arg.message : String(arg))).join(' ');
    const line = `llm-traces: ${text.replace(/^llm-traces:\s*/, '')}`;
    if (this.printed.has(line)) return;
    this.printed.add(line);
    this.write(line);
  }
}

export function setUpDiagnostics(): void {
  const level = getStringFromEnv('OTEL_LOG_LEVEL');
  if (level !== undefined) {
    diag.setLogger(new DiagConsoleLogger(), { logLevel: diagLogLevelFromString(level) ?? DiagLogLevel.INFO });
  } else {
    diag.setLogger(new LlmTracesStderrLogger(), { logLevel: DiagLogLevel.WARN });
  }
}
