import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import { logger } from '../logging';

const PINO_LEVEL: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' };

/** The Temporal SDK's log lines go through the same pino logger (and level) as ours. */
const temporalToPino: TemporalLogger = {
  log: (level: LogLevel, message: string, meta?: LogMetadata) => logger[PINO_LEVEL[level]](meta ?? {}, message),
  trace: (message, meta) => logger.trace(meta ?? {}, message),
  debug: (message, meta) => logger.debug(meta ?? {}, message),
  info: (message, meta) => logger.info(meta ?? {}, message),
  warn: (message, meta) => logger.warn(meta ?? {}, message),
  error: (message, meta) => logger.error(meta ?? {}, message),
};

let installed = false;

/** Once per process, before the first worker or native connection. */
export function installRuntimeLogger(): void {
  if (installed) return;
  installed = true;
  try {
    Runtime.install({ logger: temporalToPino });
  } catch {
    // a runtime already exists (e.g. a test installed its own): keep it
  }
}
