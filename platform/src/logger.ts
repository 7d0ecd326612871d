import pino, { type Logger } from 'pino';
import { logTraceFields } from './observability/tracing';

export type { Logger };

/** Structured JSON logs, one logger per service; secrets are redacted wherever they appear. */
export function createLogger(service: string, level: string = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    // A line written inside a traced request or event names its trace, so it links to it.
    mixin: logTraceFields,
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'refreshToken',
        '*.refreshToken',
        'headers.authorization',
        'req.headers.authorization',
        '*.code',
      ],
      censor: '[redacted]',
    },
  });
}
