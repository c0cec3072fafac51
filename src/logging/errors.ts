/**
 * How an error appears in a log line: its class and message always (issue item 11: every failure line
 * carries both), plus what helps an operator act on it. Stacks only at debug level, where they are read.
 */
export interface LoggedError {
  /** the JavaScript class: ApplicationFailure, ConnectionRefusedError, ClickHouseError, NetworkError, … */
  type: string;
  message: string;
  /** MarketPrism's error class (docs/reliability.md), when the error is a classified Temporal failure */
  errorClass?: string;
  /** a system or server error code (ECONNREFUSED, a ClickHouse error number), when the error has one */
  code?: string | number;
  cause?: LoggedError;
  stack?: string;
}

const MAX_MESSAGE = 2_000;
const MAX_DEPTH = 4;

function typeOf(err: object): string {
  const ctor = (err as { constructor?: { name?: unknown } }).constructor?.name;
  const name = (err as { name?: unknown }).name;
  // a subclass that only sets `name` (override name = 'UsageError') is known by that name
  if (typeof name === 'string' && name && name !== 'Error' && (ctor === 'Error' || ctor === undefined)) return name;
  return typeof ctor === 'string' && ctor && ctor !== 'Object' ? ctor : typeof name === 'string' && name ? name : 'Error';
}

/** Error-like value → LoggedError; anything else is described by its type and String(value). */
export function loggedError(err: unknown, withStack = false, depth = 0): LoggedError {
  if (err === null || typeof err !== 'object') return { type: err === null ? 'null' : typeof err, message: String(err).slice(0, MAX_MESSAGE) };
  const e = err as { message?: unknown; code?: unknown; type?: unknown; cause?: unknown; stack?: unknown };
  const out: LoggedError = { type: typeOf(err), message: (typeof e.message === 'string' ? e.message : String(err)).slice(0, MAX_MESSAGE) };
  // Temporal's ApplicationFailure carries the classification in `type` (classify.ts)
  if (out.type === 'ApplicationFailure' && typeof e.type === 'string') out.errorClass = e.type;
  if (typeof e.code === 'string' || typeof e.code === 'number') out.code = e.code;
  if (e.cause !== undefined && e.cause !== null && depth < MAX_DEPTH) out.cause = loggedError(e.cause, withStack, depth + 1);
  if (withStack && typeof e.stack === 'string') out.stack = e.stack;
  return out;
}
