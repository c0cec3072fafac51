import pino from 'pino';

/**
 * One pino logger for the process. Secrets are redacted by key name as a second line of defence;
 * the first is that secrets are never put into objects that get logged.
 */
export const logger = pino({
  level: process.env.MARKETPRISM_LOG_LEVEL ?? 'info',
  redact: { paths: ['*.password', '*.secret', '*.apiKey', '*.key', 'password', 'secret', 'apiKey'], censor: '[redacted]' },
  base: { pid: process.pid },
});

export type Logger = typeof logger;
