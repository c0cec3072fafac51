import pino from 'pino';
import { loggedError } from './errors';
import { isLogFormat, LogOutput, type LogFormat } from './output';
import { secretScrubber, secretValues } from './secrets';

export { LOG_FORMATS, isLogFormat, type LogFormat } from './output';

/**
 * Secret-looking keys are censored wherever they sit in a logged object (a second line of defence; the first
 * is that secrets are never put into objects that get logged), and secret values are scrubbed from every
 * line (secrets.ts).
 */
export const REDACT_PATHS = [
  'password', 'secret', 'apiKey', 'token', 'authorization',
  '*.password', '*.secret', '*.apiKey', '*.key', '*.token', '*.authorization', '*.Authorization',
  '*.headers.authorization', '*.headers.Authorization',
];

const envFormat = process.env.MARKETPRISM_LOG_FORMAT;
const output = new LogOutput(process.stderr, envFormat && isLogFormat(envFormat) ? envFormat : 'auto');
let scrub = secretScrubber(secretValues());

/**
 * One pino logger for the process (issue item 11): JSON lines on stderr, or pretty ones on a terminal
 * (MARKETPRISM_LOG_FORMAT / `logFormat` decide); errors logged under `err` or `error` as class + message
 * (errors.ts); secrets redacted by key and scrubbed by value.
 */
export const logger = pino(
  {
    level: process.env.MARKETPRISM_LOG_LEVEL ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { pid: process.pid },
    serializers: {
      err: (err: unknown) => loggedError(err, logger.isLevelEnabled('debug')),
      error: (err: unknown) => loggedError(err, logger.isLevelEnabled('debug')),
    },
    hooks: { streamWrite: (line: string) => scrub(line) },
  },
  output,
);

export type Logger = typeof logger;

/** Switches the format of every following line (the config's `logFormat`, read after the logger exists). */
export function setLogFormat(format: LogFormat): void {
  output.setFormat(format);
}

/** The format lines are written in now. */
export function logFormat(): 'json' | 'pretty' {
  return output.format;
}

/** Re-reads the secret values to scrub (after the environment changed, e.g. in tests). */
export function rescanSecrets(env: NodeJS.ProcessEnv = process.env): void {
  scrub = secretScrubber(secretValues(env));
}
