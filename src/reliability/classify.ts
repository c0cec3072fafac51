/**
 * Error classification in one place: whatever ccxt, @clickhouse/client, undici/fetch or a Node socket
 * throws is mapped to one error class of policies.ts, and from there to the ApplicationFailure Temporal
 * acts on (type, nonRetryable, nextRetryDelay). Activities stay thin: they throw what their library
 * throws, and the activity-reliability interceptor (src/workers/interceptors/activity-reliability.ts)
 * calls toApplicationFailure().
 */
import { ApplicationFailure } from '@temporalio/common';
import { retryDelayMs } from './backoff';
import {
  BUDGET_SPENT_SUFFIX,
  CIRCUIT_OPEN,
  DEFAULT_POLICIES,
  ERROR_CLASSES,
  budgetSpentType,
  withinBudget,
  type ErrorClass,
  type Policies,
} from './policies';
import { RESPONSE_HEADERS, headerValue, parseRetryAfter } from './response-headers';
import { failurePayloadOf } from './failure-payload';

export interface Classification {
  class: ErrorClass;
  retryable: boolean;
  /** From a Retry-After header, when the failing response had one. */
  retryAfterMs?: number;
  /** One line: what went wrong and, for bad input, what to do. */
  message: string;
  /** What the decision was based on, e.g. `ccxt.BadSymbol`, `ECONNREFUSED`, `clickhouse 60`, `http 503`. */
  source: string;
  /** Whether the failure says something about the dependency's health (counted by its breaker). */
  dependencyFailure: boolean;
}

const MAX_MESSAGE = 400;

function oneLine(text: string, max = MAX_MESSAGE): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

interface Rule {
  class: ErrorClass;
  /** For bad input: what to do about it. */
  hint?: string;
}

const CHECK_CONFIG = 'fix the request or the config; retrying will not help';
const CHECK_CREDENTIALS = 'check the credentials (MARKETPRISM_EXCHANGE_<ID>_API_KEY / _SECRET) and their permissions';

/** ccxt error class name -> rule; the most specific class in an error's prototype chain wins. */
const CCXT_RULES: Record<string, Rule> = {
  BadSymbol: { class: 'bad_request', hint: 'the exchange does not list this symbol; check the symbols in the config (ccxt unified form, e.g. BTC/USDT:USDT)' },
  AuthenticationError: { class: 'bad_request', hint: CHECK_CREDENTIALS },
  PermissionDenied: { class: 'bad_request', hint: CHECK_CREDENTIALS },
  AccountNotEnabled: { class: 'bad_request', hint: CHECK_CREDENTIALS },
  AccountSuspended: { class: 'bad_request', hint: CHECK_CREDENTIALS },
  ArgumentsRequired: { class: 'bad_request', hint: 'the exchange needs more arguments for this call; fix the activity call' },
  BadRequest: { class: 'bad_request', hint: CHECK_CONFIG },
  NotSupported: { class: 'bad_request', hint: 'this exchange does not support the call in ccxt; disable that data type for it in the config' },
  OperationRejected: { class: 'bad_request', hint: CHECK_CONFIG },
  InsufficientFunds: { class: 'bad_request', hint: CHECK_CONFIG },
  InvalidAddress: { class: 'bad_request', hint: CHECK_CONFIG },
  InvalidOrder: { class: 'bad_request', hint: CHECK_CONFIG },
  InvalidProxySettings: { class: 'bad_request', hint: 'fix the proxy settings of the exchange' },
  ExchangeClosedByUser: { class: 'bad_request', hint: 'the exchange object was closed; create a new one' },
  RateLimitExceeded: { class: 'rate_limit' },
  DDoSProtection: { class: 'rate_limit' },
  RequestTimeout: { class: 'timeout' },
  OnMaintenance: { class: 'server' },
  ExchangeNotAvailable: { class: 'server' },
  InvalidNonce: { class: 'server' },
  BadResponse: { class: 'server' },
  CancelPending: { class: 'server' },
  NetworkError: { class: 'connection' },
  // unmapped exchange error codes: usually transient on the exchange side; the budget bounds them
  ExchangeError: { class: 'server' },
  OperationFailed: { class: 'server' },
  BaseError: { class: 'server' },
};

const SOCKET_CODES: Record<string, ErrorClass> = {
  ECONNREFUSED: 'connection',
  ECONNRESET: 'connection',
  ECONNABORTED: 'connection',
  EPIPE: 'connection',
  EHOSTUNREACH: 'connection',
  EHOSTDOWN: 'connection',
  ENETUNREACH: 'connection',
  ENETDOWN: 'connection',
  ENOTFOUND: 'connection',
  EAI_AGAIN: 'connection',
  ERR_SOCKET_CLOSED: 'connection',
  UND_ERR_SOCKET: 'connection',
  UND_ERR_CLOSED: 'connection',
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
  UND_ERR_CONNECT_TIMEOUT: 'timeout',
  UND_ERR_HEADERS_TIMEOUT: 'timeout',
  UND_ERR_BODY_TIMEOUT: 'timeout',
};

const CHECK_STORE_CREDENTIALS = 'check the store username and MARKETPRISM_STORE_<ID>_PASSWORD';
const CHECK_SCHEMA = 'the store schema does not match; run the storage migration (migrate) for this store';

/** ClickHouse server error codes (src/Common/ErrorCodes.cpp) that are not `server`. */
const CLICKHOUSE_CODES: Record<number, Rule> = {
  159: { class: 'timeout' }, // TIMEOUT_EXCEEDED
  209: { class: 'timeout' }, // SOCKET_TIMEOUT
  210: { class: 'connection' }, // NETWORK_ERROR
  202: { class: 'rate_limit' }, // TOO_MANY_SIMULTANEOUS_QUERIES
  203: { class: 'rate_limit' }, // NO_FREE_CONNECTION
  252: { class: 'rate_limit' }, // TOO_MANY_PARTS: back-pressure from merges
  6: { class: 'bad_request', hint: 'a value could not be parsed; fix the rows' }, // CANNOT_PARSE_TEXT
  16: { class: 'bad_request', hint: CHECK_SCHEMA }, // NO_SUCH_COLUMN_IN_TABLE
  26: { class: 'bad_request', hint: 'a value could not be parsed; fix the rows' },
  27: { class: 'bad_request', hint: 'a value could not be parsed; fix the rows' },
  36: { class: 'bad_request', hint: CHECK_CONFIG }, // BAD_ARGUMENTS
  38: { class: 'bad_request', hint: 'a value could not be parsed; fix the rows' },
  41: { class: 'bad_request', hint: 'a value could not be parsed; fix the rows' },
  43: { class: 'bad_request', hint: CHECK_CONFIG }, // ILLEGAL_TYPE_OF_ARGUMENT
  44: { class: 'bad_request', hint: CHECK_SCHEMA }, // ILLEGAL_COLUMN
  46: { class: 'bad_request', hint: 'the query uses a function this ClickHouse version lacks; fix the query' },
  47: { class: 'bad_request', hint: CHECK_SCHEMA }, // UNKNOWN_IDENTIFIER
  48: { class: 'bad_request', hint: 'not implemented by this ClickHouse version; fix the query' },
  53: { class: 'bad_request', hint: CHECK_SCHEMA }, // TYPE_MISMATCH
  60: { class: 'bad_request', hint: CHECK_SCHEMA }, // UNKNOWN_TABLE
  62: { class: 'bad_request', hint: 'the query has a syntax error; fix the query' },
  69: { class: 'bad_request', hint: CHECK_CONFIG }, // ARGUMENT_OUT_OF_BOUND
  70: { class: 'bad_request', hint: 'a value has the wrong type; fix the rows' },
  72: { class: 'bad_request', hint: 'a value could not be parsed; fix the rows' },
  73: { class: 'bad_request', hint: CHECK_CONFIG }, // UNKNOWN_FORMAT
  81: { class: 'bad_request', hint: CHECK_SCHEMA }, // UNKNOWN_DATABASE
  115: { class: 'bad_request', hint: CHECK_CONFIG }, // UNKNOWN_SETTING
  117: { class: 'bad_request', hint: 'the rows are malformed; fix the rows' }, // INCORRECT_DATA
  164: { class: 'bad_request', hint: 'the store user is read-only; use a user that may write' }, // READONLY
  192: { class: 'bad_request', hint: CHECK_STORE_CREDENTIALS }, // UNKNOWN_USER
  193: { class: 'bad_request', hint: CHECK_STORE_CREDENTIALS }, // WRONG_PASSWORD
  194: { class: 'bad_request', hint: CHECK_STORE_CREDENTIALS }, // REQUIRED_PASSWORD
  195: { class: 'bad_request', hint: CHECK_STORE_CREDENTIALS }, // IP_ADDRESS_NOT_ALLOWED
  497: { class: 'bad_request', hint: CHECK_STORE_CREDENTIALS }, // ACCESS_DENIED
  516: { class: 'bad_request', hint: CHECK_STORE_CREDENTIALS }, // AUTHENTICATION_FAILED
};

/** Old (18.16: "Code: 60, e.displayText() = ...") and new ("Code: 60. DB::Exception: ...") server error text. */
const CLICKHOUSE_MESSAGE = /(?:^|\s)Code: (\d+)[.,]/;

type Obj = Record<string, unknown>;

function asObject(value: unknown): Obj | undefined {
  return value !== null && typeof value === 'object' ? (value as Obj) : undefined;
}

function messageOf(err: unknown): string {
  const obj = asObject(err);
  if (obj && typeof obj.message === 'string' && obj.message) return obj.message;
  return String(err);
}

/** Constructor names along the prototype chain, most specific first (works across duplicate module copies). */
function prototypeNames(err: object): string[] {
  const names: string[] = [];
  for (let proto = Object.getPrototypeOf(err); proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto)) {
    const name = (proto as { constructor?: { name?: string } }).constructor?.name;
    if (name) names.push(name);
  }
  return names;
}

/** The error, its `cause` chain and AggregateError members (undici wraps socket errors in `cause`). */
function errorChain(err: unknown): Obj[] {
  const out: Obj[] = [];
  const queue: unknown[] = [err];
  while (queue.length && out.length < 10) {
    const obj = asObject(queue.shift());
    if (!obj || out.includes(obj)) continue;
    out.push(obj);
    queue.push(obj.cause);
    if (Array.isArray(obj.errors)) queue.push(...obj.errors);
  }
  return out;
}

function httpStatus(obj: Obj): number | undefined {
  for (const value of [obj.status, obj.statusCode, asObject(obj.response)?.status, asObject(obj.response)?.statusCode]) {
    if (typeof value === 'number' && value >= 100 && value <= 599) return value;
  }
  return undefined;
}

function headersOf(chain: Obj[]): unknown {
  for (const obj of chain) {
    const headers = obj[RESPONSE_HEADERS] ?? obj.headers ?? asObject(obj.response)?.headers;
    if (asObject(headers)) return headers;
  }
  return undefined;
}

function statusRule(status: number): Rule | undefined {
  if (status === 429 || status === 418) return { class: 'rate_limit' };
  if (status === 408 || status === 504) return { class: 'timeout' };
  if (status >= 500) return { class: 'server' };
  if (status === 401 || status === 403) return { class: 'bad_request', hint: 'check the credentials' };
  if (status >= 400) return { class: 'bad_request', hint: CHECK_CONFIG };
  return undefined;
}

function ruleFor(chain: Obj[]): { rule: Rule; source: string } | undefined {
  const [top] = chain;
  const names = prototypeNames(top);
  if (names.includes('BaseError')) {
    const name = names.find((n) => n in CCXT_RULES);
    if (name) return { rule: CCXT_RULES[name], source: `ccxt.${name}` };
  }
  for (const obj of chain) {
    const code = typeof obj.code === 'string' ? obj.code : undefined;
    if (code && code in SOCKET_CODES) return { rule: { class: SOCKET_CODES[code] }, source: code };
  }
  for (const obj of chain) {
    // src/storage/errors.ts StoreQueryError carries the server's code as a number
    if (typeof obj.clickhouseCode === 'number') return { rule: CLICKHOUSE_CODES[obj.clickhouseCode] ?? { class: 'server' }, source: `clickhouse ${obj.clickhouseCode}` };
  }
  for (const obj of chain) {
    const message = typeof obj.message === 'string' ? obj.message : '';
    const isClickHouse = prototypeNames(obj).includes('ClickHouseError');
    const numeric = isClickHouse && typeof obj.code === 'string' ? Number(obj.code) : Number(CLICKHOUSE_MESSAGE.exec(message)?.[1]);
    if (Number.isInteger(numeric) && (isClickHouse || CLICKHOUSE_MESSAGE.test(message))) {
      return { rule: CLICKHOUSE_CODES[numeric] ?? { class: 'server' }, source: `clickhouse ${numeric}` };
    }
  }
  for (const obj of chain) {
    const status = httpStatus(obj);
    const rule = status === undefined ? undefined : statusRule(status);
    if (rule) return { rule, source: `http ${status}` };
  }
  for (const obj of chain) {
    const message = typeof obj.message === 'string' ? obj.message : '';
    const name = typeof obj.name === 'string' ? obj.name : '';
    if (/socket hang up/i.test(message)) return { rule: { class: 'connection' }, source: 'socket hang up' };
    if (name === 'TimeoutError' || /^timeout error\.?$/i.test(message) || /\btimed? ?out\b/i.test(message)) {
      return { rule: { class: 'timeout' }, source: name === 'TimeoutError' ? 'TimeoutError' : 'timeout message' };
    }
  }
  // src/storage/errors.ts: a store that could not be reached, for a reason not recognised above
  if (chain.some((obj) => obj.name === 'StoreUnavailableError')) return { rule: { class: 'connection' }, source: 'StoreUnavailableError' };
  return undefined;
}

/** A failure the activity already typed itself is taken at its word. */
function classifyApplicationFailure(err: ApplicationFailure): Classification {
  const type = err.type ?? '';
  const base = type.endsWith(BUDGET_SPENT_SUFFIX) ? type.slice(0, -BUDGET_SPENT_SUFFIX.length) : type;
  const known = (ERROR_CLASSES as readonly string[]).includes(base) ? (base as ErrorClass) : undefined;
  const errorClass = known ?? (err.nonRetryable ? 'bad_request' : 'server');
  return {
    class: errorClass,
    retryable: !err.nonRetryable && errorClass !== 'bad_request',
    message: oneLine(err.message),
    source: `ApplicationFailure ${type || '(untyped)'}`,
    dependencyFailure: type !== CIRCUIT_OPEN && known !== undefined && errorClass !== 'bad_request',
  };
}

/** Maps any thrown value to its error class. */
export function classify(err: unknown, nowMs: number = Date.now()): Classification {
  if (err instanceof ApplicationFailure) return classifyApplicationFailure(err);
  const chain = errorChain(err);
  const original = oneLine(messageOf(err));
  const matched = chain.length ? ruleFor(chain) : undefined;
  if (!matched) {
    // Most likely a bug in our own code (TypeError...): retried within the server budget in case it is
    // a transient oddity, but not blamed on the dependency.
    return { class: 'server', retryable: true, message: `unexpected error: ${original}`, source: 'unknown', dependencyFailure: false };
  }
  const { rule, source } = matched;
  const retryable = rule.class !== 'bad_request';
  const result: Classification = {
    class: rule.class,
    retryable,
    message: rule.hint ? `${original} (${rule.hint})` : original,
    source,
    dependencyFailure: retryable,
  };
  const retryAfterMs = parseRetryAfter(headerValue(headersOf(chain), 'retry-after'), nowMs);
  if (retryAfterMs !== undefined && retryable) result.retryAfterMs = retryAfterMs;
  return result;
}

export interface FailureOptions {
  policies?: Policies;
  random?: () => number;
  nowMs?: number;
  /** Reuse a classification already made (the interceptor classifies once for the breaker). */
  classification?: Classification;
  /** The delay before the next attempt, when the caller planned it (plannedRetryDelayMs); else planned here. */
  retryDelayMs?: number;
}

/**
 * The backoff after failed attempt `attempt` (1-based) of a retryable class, in ms: the failing response's
 * Retry-After when it had one (floored at backoff.minDelayMs: a zero delay would mean "use the policy
 * interval"), else the class's jittered exponential backoff (backoff.ts).
 */
export function plannedRetryDelayMs(c: Classification, attempt: number, policies: Policies = DEFAULT_POLICIES, random?: () => number): number {
  return c.retryAfterMs !== undefined ? Math.max(c.retryAfterMs, policies.backoff.minDelayMs) : retryDelayMs(c.class, attempt, random, policies);
}

/** A compact copy of the original error for the failure's cause: ccxt messages carry whole response bodies. */
function compactCause(err: unknown): Error | undefined {
  if (!(err instanceof Error)) return undefined;
  const cause = new Error(oneLine(err.message, 1_000));
  cause.name = err.name;
  cause.stack = `${err.name}: ${cause.message}\n${(err.stack ?? '').split('\n').slice(1, 12).join('\n')}`;
  return cause;
}

/**
 * The ApplicationFailure to throw for `err` on Temporal attempt `attempt` (1-based, Context.info.attempt):
 * type = error class; bad input is nonRetryable; retryable classes get nextRetryDelay from Retry-After or
 * the class backoff; once the class budget is spent (attempt > attempts) the failure is nonRetryable with
 * type `<class>_budget_spent`. An ApplicationFailure thrown by the activity itself is passed through.
 */
export function toApplicationFailure(err: unknown, attempt: number, options: FailureOptions = {}): ApplicationFailure {
  if (err instanceof ApplicationFailure) return err;
  const policies = options.policies ?? DEFAULT_POLICIES;
  const c = options.classification ?? classify(err, options.nowMs);
  const cause = compactCause(err);
  const payload = failurePayloadOf(err);
  const details = [{ source: c.source, attempt, ...(c.retryAfterMs !== undefined && { retryAfterMs: c.retryAfterMs }), ...payload }];
  // a failure carrying a payload ends its chain: a retry could not hand it on (failure-payload.ts)
  if (!c.retryable || payload) {
    return ApplicationFailure.create({ type: c.class, message: c.message, nonRetryable: true, details, cause });
  }
  if (!withinBudget(c.class, attempt, policies)) {
    const budget = policies.errorClasses[c.class].attempts;
    return ApplicationFailure.create({
      type: budgetSpentType(c.class),
      message: `${c.message} (gave up on attempt ${attempt}: the ${c.class} retry budget is ${budget})`,
      nonRetryable: true,
      details,
      cause,
    });
  }
  const nextRetryDelay = options.retryDelayMs ?? plannedRetryDelayMs(c, attempt, policies, options.random);
  return ApplicationFailure.create({ type: c.class, message: c.message, nonRetryable: false, nextRetryDelay, details, cause });
}
