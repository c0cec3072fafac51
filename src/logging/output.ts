import { prettyFactory } from 'pino-pretty';

/**
 * Where log lines go and in which shape (issue item 11): pretty and human in a terminal, one JSON object per
 * line otherwise (a pipe, a file, docker logs) or when asked. Lines go to stderr, so a command's own output on
 * stdout (`--json`) stays machine-readable whatever the log level.
 */
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export function isLogFormat(value: string): value is LogFormat {
  return (LOG_FORMATS as readonly string[]).includes(value);
}

/** auto → pretty on a terminal, JSON otherwise. */
export function resolveLogFormat(format: LogFormat, isTTY: boolean): 'json' | 'pretty' {
  return format === 'auto' ? (isTTY ? 'pretty' : 'json') : format;
}

export interface LogSink {
  write(line: string): unknown;
  isTTY?: boolean;
}

/** The error part of a pretty line: class [error class]: message. */
function errorText(err: unknown): string {
  if (!err || typeof err !== 'object') return '';
  const e = err as { type?: string; errorClass?: string; message?: string };
  return ` — ${e.type ?? 'Error'}${e.errorClass ? `[${e.errorClass}]` : ''}: ${e.message ?? ''}`;
}

/**
 * pino's destination: formats each serialized line as the current format says, synchronously (a line
 * written right before the process exits is not lost).
 */
export class LogOutput {
  private mode: 'json' | 'pretty';
  private pretty: ((line: string) => string) | undefined;

  constructor(
    private readonly sink: LogSink = process.stderr,
    format: LogFormat = 'auto',
  ) {
    this.mode = resolveLogFormat(format, !!sink.isTTY);
  }

  get format(): 'json' | 'pretty' {
    return this.mode;
  }

  setFormat(format: LogFormat): void {
    this.mode = resolveLogFormat(format, !!this.sink.isTTY);
  }

  write(line: string): void {
    if (this.mode === 'json') {
      this.sink.write(line);
      return;
    }
    this.pretty ??= prettyFactory({
      colorize: !!this.sink.isTTY,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,err,error',
      singleLine: true,
      messageFormat: (log, messageKey) => `${String(log[messageKey] ?? '')}${errorText(log.err ?? log.error)}`,
    });
    this.sink.write(this.pretty(line));
  }
}
