import pino, { type Logger } from 'pino';
import { logTraceFields } from './observability/tracing';

export type { Logger };

/**
 * Structured JSON logs, one logger per service; secrets are redacted wherever they appear.
 * `buffered`: lines are written to stdout in batches (at 8 KB or every second, and when the
 * process exits) instead of one synchronous write each: for high-volume lines such as an access log.
 */
export function createLogger(service: string, level: string = 'info', options: { buffered?: boolean } = {}): Logger {
  const options_: pino.LoggerOptions = {
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
  };
  return options.buffered ? pino(options_, bufferedStdout()) : pino(options_);
}

let buffered: pino.DestinationStream | null = null;

/** One batched stdout for every buffered logger of the process, flushed every second and at exit. */
function bufferedStdout(): pino.DestinationStream {
  if (buffered) return buffered;
  const destination = pino.destination({ dest: 1, sync: false, minLength: 8192 });
  const flush = (sync: boolean) => {
    try {
      if (sync) destination.flushSync();
      else destination.flush();
    } catch {
      // Not open yet, or already closed: nothing buffered can be written now.
    }
  };
  setInterval(() => flush(false), 1000).unref();
  process.once('exit', () => flush(true));
  buffered = destination;
  return destination;
}
