import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { logger as defaultLogger, type Logger } from '../logging';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** Noise for people reading the log: opaque tokens, tracing internals. */
const DROPPED = new Set(['taskToken', 'spanContexts', 'isLocal']);

/**
 * The SDK's metadata as our fields: `error` becomes `err` (logged as class + message), opaque keys are
 * dropped, symbol keys (the SDK's timestamps) are not copied.
 */
export function pinoFields(meta: LogMetadata | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (!meta) return fields;
  for (const [key, value] of Object.entries(meta)) {
    if (DROPPED.has(key) || value === undefined) continue;
    fields[key === 'error' ? 'err' : key] = value;
  }
  return fields;
}

/**
 * The Temporal SDK's log lines, the Rust core's included (forwarded by the runtime, runtime.ts), through
 * the same pino logger, level and format as ours: no raw ANSI lines of the core mixed into the log.
 */
export function temporalToPino(log: Logger = defaultLogger): TemporalLogger {
  const emit = (level: LogLevel, message: string, meta?: LogMetadata) => log[PINO_LEVEL[level]](pinoFields(meta), message);
  return {
    log: emit,
    trace: (message, meta) => emit('TRACE', message, meta),
    debug: (message, meta) => emit('DEBUG', message, meta),
    info: (message, meta) => emit('INFO', message, meta),
    warn: (message, meta) => emit('WARN', message, meta),
    error: (message, meta) => emit('ERROR', message, meta),
  };
}

/** How verbose the core may be: WARN unless our own level asks for more. */
export function coreLogLevel(level: string): LogLevel {
  if (level === 'trace') return 'DEBUG';
  if (level === 'debug') return 'INFO';
  return 'WARN';
}
