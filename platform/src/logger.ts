import pino, { type Logger } from 'pino';

export type { Logger };

/** Structured JSON logs, one logger per service; secrets are redacted wherever they appear. */
export function createLogger(service: string, level: string = 'info'): Logger {
  return pino({
    name: service,
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
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
