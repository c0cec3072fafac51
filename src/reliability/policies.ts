/**
 * Reliability policies as data, declared once: the types, the defaults, and withOverrides() to apply
 * config overrides. Workflows import this module, so it must stay pure: plain data and pure functions,
 * no Node APIs, no I/O, no ccxt, no pino. Every duration is in milliseconds. A `Policies` object is plain
 * JSON, so a policy set with config overrides applied can travel as workflow input (workflows cannot read
 * config themselves). What is derived from it lives next to it, just as pure: the retry delays in
 * backoff.ts, the Temporal activity options in activity-options.ts.
 */

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/** The error classes every failure is mapped to (see classify.ts). */
export const ERROR_CLASSES = ['connection', 'rate_limit', 'server', 'timeout', 'bad_request'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** Failure types that only the reliability layer emits, besides the error classes themselves. */
export const CIRCUIT_OPEN = 'circuit_open';
export const BUDGET_SPENT_SUFFIX = '_budget_spent';
export function budgetSpentType(errorClass: ErrorClass): string {
  return `${errorClass}${BUDGET_SPENT_SUFFIX}`;
}

export interface ErrorClassPolicy {
  /**
   * Retry budget: a failure of this class on attempt N (1-based, as Temporal counts) is retried while
   * N <= attempts; after that it is final (type `<class>_budget_spent`). 0 = never retried.
   */
  attempts: number;
  /** Backoff ceiling of the first retry; doubles (backoff.multiplier) per attempt. */
  baseDelayMs: number;
}

export interface BackoffPolicy {
  multiplier: number;
  maxDelayMs: number;
  /**
   * Full jitter draws the delay uniformly from [minDelayMs, ceiling]; the floor keeps a low draw from
   * turning into an immediate hammering retry.
   */
  minDelayMs: number;
}

export const ACTIVITY_KINDS = [
  'exchangeFetch',
  'storeInsert',
  'storeRead',
  'repairCopy',
  'backupExport',
  'restore',
  'alert',
  'admin',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

export interface ActivityPolicy {
  startToCloseTimeoutMs: number;
  /** Bounds the whole retry sequence (all attempts and waits). */
  scheduleToCloseTimeoutMs?: number;
  /** Only for activities that can run long; they must heartbeat more often than this. */
  heartbeatTimeoutMs?: number;
  /**
   * Overall attempt cap. Per-class budgets (errorClasses) end most retry sequences earlier; this cap
   * also bounds circuit_open fast-fails and failures the activity never reports (timeouts, crashes).
   */
  maximumAttempts: number;
  /** Used by Temporal only for failures without nextRetryDelay (timeouts, worker crashes). */
  initialIntervalMs: number;
}

export interface BreakerPolicy {
  /** CLOSED -> OPEN after this many consecutive dependency failures. */
  consecutiveFailures: number;
  /** CLOSED -> OPEN when failures / calls in the window reach this rate ... */
  failureRate: number;
  /** ... over this sliding window ... */
  windowMs: number;
  /** ... once the window holds at least this many calls. */
  minCalls: number;
  /** OPEN lasts this long before the next call is let through as a probe (HALF_OPEN). */
  openDurationMs: number;
  /** HALF_OPEN admits this many probe calls; the first success closes, the first failure reopens. */
  halfOpenProbes: number;
  /** Wait suggested to calls refused in HALF_OPEN while the probes are still out. */
  halfOpenRetryMs: number;
  /**
   * Longest wait suggested to calls refused while OPEN. Shorter than the open duration on purpose: the
   * health probe may close the breaker early, and a call parked in a 30 s Temporal retry timer would not
   * notice. Fast-fails are cheap (no history events, no request to the dependency).
   */
  openRetryMaxMs: number;
  /**
   * Longest a call waits at its dependency's recovery gate (recovery-gate.ts: a backoff hold after failures,
   * or an OPEN breaker) for the hold to end or the dependency to answer again, before its attempt fails with a
   * retry after openRetryMaxMs. Also bounded by half the activity's start-to-close timeout. 0 = never wait.
   */
  parkMaxMs: number;
  /** The health probe of a held dependency (recovery-gate.ts) runs at most once per this interval. */
  healthProbeIntervalMs: number;
  /** Error classes that count as dependency failures (bad input never does). */
  countedClasses: ErrorClass[];
}

/** Rate limiter priority classes; each has its own per-exchange token bucket. */
export const PRIORITIES = ['collection', 'trades', 'health', 'admin'] as const;
export type Priority = (typeof PRIORITIES)[number];
export type PriorityRates = Record<Priority, number>;

export interface RateLimitPolicy {
  /** Requests per second per exchange and priority: the ceiling the adaptive rate never exceeds. */
  defaults: PriorityRates;
  /** Per exchange id overrides of some priorities. */
  exchanges: Record<string, Partial<PriorityRates>>;
  /** Multiplicative decrease on 429 / 418 / DDoSProtection: rate *= decreaseFactor. */
  decreaseFactor: number;
  /** Further 429s within this long after a decrease do not decrease again (one burst, one cut). */
  decreaseCooldownMs: number;
  /** Additive increase on success: rate += increaseFraction x ceiling. */
  increaseFraction: number;
  /** The adaptive rate never drops below this fraction of the ceiling. */
  floorFraction: number;
}

/** Redundant writes and replica repair (src/workflows/redundant-write.ts, replica-repair.ts). */
export interface WritePolicy {
  /** After quorum, how long the other stores get to acknowledge before their copy is left to repair. */
  quorumGraceMs: number;
  /** A write still short of quorum after this long raises an alert (once per batch; resolved at quorum). */
  quorumAlertAfterMs: number;
  /**
   * Cap on the pause between insert attempts against one store while a write waits: a store that comes
   * back is noticed within about this long (the error-class budgets may pick shorter delays).
   */
  insertRetryMaxIntervalMs: number;
  /**
   * Heartbeat timeout of those inserts (insertBatch heartbeats while it runs): an insert on a worker that
   * died is retried elsewhere after this, not after the whole start-to-close timeout.
   */
  insertHeartbeatTimeoutMs: number;
  /**
   * Schedule-to-start timeout of an insert sent to the worker that staged its batch (src/activities/staging.ts):
   * a staging worker that has died is given up after this, and the write recovers the batch from the stores or
   * refetches it (docs/design.md, "Rows out of workflow history"). Absent in policies recorded before staging.
   */
  stagedStartTimeoutMs?: number;
  /** Once a store's insert retries are spent, the next round starts after this, doubling per round ... */
  roundBaseDelayMs: number;
  /** ... up to this. A write without quorum never gives up; it keeps going round. */
  roundMaxDelayMs: number;
  /**
   * Repair: each health probe of a lagging store keeps pinging it (twice a second) for up to this long before
   * answering unhealthy, so a returning store is seen within half a second (well under storeRead's timeout).
   */
  repairProbeWaitMs: number;
  /** Repair: a lagging store is probed this long after the first failed probe, doubling per probe ... */
  repairProbeBaseDelayMs: number;
  /** ... up to this, so a returning store is repaired within about this long. */
  repairProbeMaxDelayMs: number;
  /**
   * Repair: missed batches held per store at most (they travel through continue-as-new). Hints beyond this
   * are dropped and the store's ledger is diffed against the others once the queue drains, so none is lost.
   */
  repairMaxPending: number;
  /** Repair: continue-as-new once the history holds this many events (far below Temporal's 50k). */
  repairHistoryEvents: number;
  /** Repair: failed batches kept for the status query (the oldest are forgotten, they stay in the alert). */
  repairFailedKept: number;
  /** Hints per signal sent by `replicas repair` (keeps each signal payload small). */
  hintsPerSignal: number;
}

export interface Policies {
  errorClasses: Record<ErrorClass, ErrorClassPolicy>;
  backoff: BackoffPolicy;
  activities: Record<ActivityKind, ActivityPolicy>;
  breaker: BreakerPolicy;
  rateLimits: RateLimitPolicy;
  writes: WritePolicy;
}

export const DEFAULT_POLICIES: Policies = {
  errorClasses: {
    connection: { attempts: 5, baseDelayMs: 2 * SECOND },
    rate_limit: { attempts: 3, baseDelayMs: 5 * SECOND },
    server: { attempts: 4, baseDelayMs: 1 * SECOND },
    timeout: { attempts: 3, baseDelayMs: 3 * SECOND },
    bad_request: { attempts: 0, baseDelayMs: 0 },
  },
  backoff: { multiplier: 2, maxDelayMs: MINUTE, minDelayMs: 250 },
  activities: {
    // one ccxt request (10 s HTTP timeout) plus waiting for a rate limiter token
    exchangeFetch: { startToCloseTimeoutMs: 30 * SECOND, scheduleToCloseTimeoutMs: 5 * MINUTE, maximumAttempts: 10, initialIntervalMs: 2 * SECOND },
    storeInsert: { startToCloseTimeoutMs: MINUTE, scheduleToCloseTimeoutMs: 10 * MINUTE, maximumAttempts: 10, initialIntervalMs: SECOND },
    storeRead: { startToCloseTimeoutMs: 30 * SECOND, scheduleToCloseTimeoutMs: 5 * MINUTE, maximumAttempts: 8, initialIntervalMs: SECOND },
    repairCopy: { startToCloseTimeoutMs: 10 * MINUTE, scheduleToCloseTimeoutMs: HOUR, heartbeatTimeoutMs: 30 * SECOND, maximumAttempts: 10, initialIntervalMs: 2 * SECOND },
    backupExport: { startToCloseTimeoutMs: 30 * MINUTE, scheduleToCloseTimeoutMs: 2 * HOUR, heartbeatTimeoutMs: 30 * SECOND, maximumAttempts: 6, initialIntervalMs: 5 * SECOND },
    restore: { startToCloseTimeoutMs: HOUR, scheduleToCloseTimeoutMs: 6 * HOUR, heartbeatTimeoutMs: 30 * SECOND, maximumAttempts: 6, initialIntervalMs: 5 * SECOND },
    alert: { startToCloseTimeoutMs: 15 * SECOND, scheduleToCloseTimeoutMs: 2 * MINUTE, maximumAttempts: 5, initialIntervalMs: SECOND },
    admin: { startToCloseTimeoutMs: 2 * MINUTE, scheduleToCloseTimeoutMs: 10 * MINUTE, maximumAttempts: 3, initialIntervalMs: SECOND },
  },
  breaker: {
    consecutiveFailures: 5,
    failureRate: 0.5,
    windowMs: MINUTE,
    minCalls: 20,
    openDurationMs: 30 * SECOND,
    halfOpenProbes: 3,
    halfOpenRetryMs: SECOND,
    openRetryMaxMs: SECOND,
    parkMaxMs: 10 * SECOND,
    healthProbeIntervalMs: SECOND,
    countedClasses: ['connection', 'rate_limit', 'server', 'timeout'],
  },
  rateLimits: {
    defaults: { collection: 10, trades: 100, health: 5, admin: 1 },
    exchanges: {},
    decreaseFactor: 0.5,
    decreaseCooldownMs: SECOND,
    increaseFraction: 0.05,
    floorFraction: 0.05,
  },
  writes: {
    quorumGraceMs: 5 * SECOND,
    quorumAlertAfterMs: 30 * SECOND,
    insertRetryMaxIntervalMs: 10 * SECOND,
    insertHeartbeatTimeoutMs: 10 * SECOND,
    stagedStartTimeoutMs: 10 * SECOND,
    roundBaseDelayMs: SECOND,
    roundMaxDelayMs: 2 * SECOND,
    repairProbeWaitMs: 10 * SECOND,
    repairProbeBaseDelayMs: SECOND,
    repairProbeMaxDelayMs: 2 * SECOND,
    repairMaxPending: 5_000,
    repairHistoryEvents: 5_000,
    repairFailedKept: 100,
    hintsPerSignal: 500,
  },
};

/** Deep partial of Policies, the shape config overrides take (see src/config/reliability-overrides.ts). */
export type PolicyOverrides = {
  errorClasses?: Partial<Record<ErrorClass, Partial<ErrorClassPolicy>>>;
  backoff?: Partial<BackoffPolicy>;
  activities?: Partial<Record<ActivityKind, Partial<ActivityPolicy>>>;
  breaker?: Partial<BreakerPolicy>;
  rateLimits?: Partial<Omit<RateLimitPolicy, 'defaults' | 'exchanges'>> & {
    defaults?: Partial<PriorityRates>;
    exchanges?: Record<string, Partial<PriorityRates>>;
  };
  writes?: Partial<WritePolicy>;
};

function mergeRecord<K extends string, V extends object>(base: Record<K, V>, patch: Partial<Record<K, Partial<V>>> | undefined): Record<K, V> {
  const out = { ...base };
  for (const key of Object.keys(patch ?? {}) as K[]) out[key] = { ...base[key], ...patch?.[key] } as V;
  return out;
}

/** A new policy set: `base` with the given overrides applied (neither argument is modified). */
export function withOverrides(overrides: PolicyOverrides = {}, base: Policies = DEFAULT_POLICIES): Policies {
  const rate = overrides.rateLimits ?? {};
  const exchanges = { ...base.rateLimits.exchanges };
  for (const [id, rates] of Object.entries(rate.exchanges ?? {})) exchanges[id] = { ...exchanges[id], ...rates };
  return {
    errorClasses: mergeRecord(base.errorClasses, overrides.errorClasses),
    backoff: { ...base.backoff, ...overrides.backoff },
    activities: mergeRecord(base.activities, overrides.activities),
    breaker: { ...base.breaker, ...overrides.breaker, countedClasses: [...(overrides.breaker?.countedClasses ?? base.breaker.countedClasses)] },
    rateLimits: { ...base.rateLimits, ...rate, defaults: { ...base.rateLimits.defaults, ...rate.defaults }, exchanges },
    writes: { ...base.writes, ...overrides.writes },
  };
}

/** Whether a failure of this class on this attempt is still within the class's retry budget. */
export function withinBudget(errorClass: ErrorClass, attempt: number, policies: Policies = DEFAULT_POLICIES): boolean {
  return attempt <= policies.errorClasses[errorClass].attempts;
}

/** The configured ceiling (requests per second) of one priority class for one exchange. */
export function rateCeiling(exchange: string, priority: Priority, policies: Policies = DEFAULT_POLICIES): number {
  return policies.rateLimits.exchanges[exchange]?.[priority] ?? policies.rateLimits.defaults[priority];
}
