import { pino, type Logger } from 'pino';

/** JSON logs to stdout; secrets in headers are redacted wherever they appear. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers["x-api-key"]',
        'req.headers["x-goog-api-key"]',
        '*.api_key',
        '*.apiKey',
      ],
      censor: '[redacted]',
    },
  });
}
