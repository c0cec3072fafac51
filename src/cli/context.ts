import { loadConfig } from '../config/load';
import type { Config } from '../config/schema';
import { logger, setLogFormat } from '../logging';

/** Options every command accepts. */
export interface GlobalOptions {
  config?: string;
  json?: boolean;
}

export function configFrom(opts: GlobalOptions): Config {
  const config = loadConfig(opts.config);
  logger.level = config.logLevel;
  setLogFormat(config.logFormat);
  return config;
}

/** Prints for people, or JSON for programs. */
export function output(opts: GlobalOptions, value: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
}

/** A bad argument: the message says what was wrong and what to do. Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}
