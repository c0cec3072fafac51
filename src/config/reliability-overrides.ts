/**
 * The `reliability:` section of the config: overrides of DEFAULT_POLICIES, written with duration strings
 * like the rest of the config ("2s", "250ms"). Parsing yields PolicyOverrides (milliseconds), ready for
 * withOverrides(). Kept apart from policies.ts so workflow code never pulls in zod.
 *
 *   reliability:
 *     errorClasses: { connection: { attempts: 5, baseDelay: 2s } }
 *     backoff: { multiplier: 2, maxDelay: 60s, minDelay: 250ms }
 *     activities: { exchangeFetch: { startToCloseTimeout: 30s, maximumAttempts: 10 } }
 *     breaker: { consecutiveFailures: 5, failureRate: 0.5, window: 60s, minCalls: 20, openDuration: 30s, halfOpenProbes: 3 }
 *     rateLimits: { defaults: { trades: 50 }, exchanges: { okx: { collection: 5 } }, decreaseFactor: 0.5 }
 *     writes: { quorumGrace: 5s, quorumAlertAfter: 30s, repairProbeMaxDelay: 10s, repairMaxPending: 5000 }
 */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration';
import { ACTIVITY_KINDS, ERROR_CLASSES, PRIORITIES, type ActivityPolicy, type BreakerPolicy, type PolicyOverrides, type WritePolicy } from '../reliability/policies';

const duration = z.string().regex(DURATION_PATTERN, 'a duration like 500ms, 1s, 5m, 1h or 30d').transform(parseDuration);
const count = z.number().int().min(0);
const fraction = z.number().gt(0).max(1);
const perSecond = z.number().positive();

/** Drops keys whose value is undefined, so a partial override never erases a default. */
function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

const errorClassOverride = z
  .strictObject({ attempts: count.optional(), baseDelay: duration.optional() })
  .transform((o) => defined({ attempts: o.attempts, baseDelayMs: o.baseDelay }));

const activityOverride = z
  .strictObject({
    startToCloseTimeout: duration.optional(),
    scheduleToCloseTimeout: duration.optional(),
    heartbeatTimeout: duration.optional(),
    maximumAttempts: z.number().int().min(1).optional(),
    initialInterval: duration.optional(),
  })
  .transform(
    (o): Partial<ActivityPolicy> =>
      defined({
        startToCloseTimeoutMs: o.startToCloseTimeout,
        scheduleToCloseTimeoutMs: o.scheduleToCloseTimeout,
        heartbeatTimeoutMs: o.heartbeatTimeout,
        maximumAttempts: o.maximumAttempts,
        initialIntervalMs: o.initialInterval,
      }),
  );

const breakerOverride = z
  .strictObject({
    consecutiveFailures: z.number().int().min(1).optional(),
    failureRate: fraction.optional(),
    window: duration.optional(),
    minCalls: z.number().int().min(1).optional(),
    openDuration: duration.optional(),
    halfOpenProbes: z.number().int().min(1).optional(),
    halfOpenRetry: duration.optional(),
    openRetryMax: duration.optional(),
    parkMax: duration.optional(),
    healthProbeInterval: duration.optional(),
    countedClasses: z.array(z.enum(ERROR_CLASSES.filter((c) => c !== 'bad_request'))).optional(),
  })
  .transform(
    (o): Partial<BreakerPolicy> =>
      defined({
        consecutiveFailures: o.consecutiveFailures,
        failureRate: o.failureRate,
        windowMs: o.window,
        minCalls: o.minCalls,
        openDurationMs: o.openDuration,
        halfOpenProbes: o.halfOpenProbes,
        halfOpenRetryMs: o.halfOpenRetry,
        openRetryMaxMs: o.openRetryMax,
        parkMaxMs: o.parkMax,
        healthProbeIntervalMs: o.healthProbeInterval,
        countedClasses: o.countedClasses,
      }),
  );

const priorityRates = z.partialRecord(z.enum(PRIORITIES), perSecond);

const rateLimitOverride = z
  .strictObject({
    defaults: priorityRates.optional(),
    exchanges: z.record(z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/, 'a ccxt exchange id'), priorityRates).optional(),
    decreaseFactor: z.number().gt(0).lt(1).optional(),
    decreaseCooldown: duration.optional(),
    increaseFraction: fraction.optional(),
    floorFraction: fraction.optional(),
  })
  .transform((o) => {
    const { decreaseCooldown, ...rest } = o;
    return defined({ ...rest, decreaseCooldownMs: decreaseCooldown });
  });

const positiveCount = z.number().int().min(1);

const writeOverride = z
  .strictObject({
    quorumGrace: duration.optional(),
    quorumAlertAfter: duration.optional(),
    insertRetryMaxInterval: duration.optional(),
    insertHeartbeatTimeout: duration.optional(),
    stagedStartTimeout: duration.optional(),
    roundBaseDelay: duration.optional(),
    roundMaxDelay: duration.optional(),
    repairProbeWait: duration.optional(),
    repairProbeBaseDelay: duration.optional(),
    repairProbeMaxDelay: duration.optional(),
    repairMaxPending: positiveCount.optional(),
    repairHistoryEvents: positiveCount.optional(),
    repairFailedKept: positiveCount.optional(),
    hintsPerSignal: positiveCount.optional(),
  })
  .transform(
    (o): Partial<WritePolicy> =>
      defined({
        quorumGraceMs: o.quorumGrace,
        quorumAlertAfterMs: o.quorumAlertAfter,
        insertRetryMaxIntervalMs: o.insertRetryMaxInterval,
        insertHeartbeatTimeoutMs: o.insertHeartbeatTimeout,
        stagedStartTimeoutMs: o.stagedStartTimeout,
        roundBaseDelayMs: o.roundBaseDelay,
        roundMaxDelayMs: o.roundMaxDelay,
        repairProbeWaitMs: o.repairProbeWait,
        repairProbeBaseDelayMs: o.repairProbeBaseDelay,
        repairProbeMaxDelayMs: o.repairProbeMaxDelay,
        repairMaxPending: o.repairMaxPending,
        repairHistoryEvents: o.repairHistoryEvents,
        repairFailedKept: o.repairFailedKept,
        hintsPerSignal: o.hintsPerSignal,
      }),
  );

/** Zod schema of the `reliability:` config section; its output is PolicyOverrides. */
export const reliabilityOverridesSchema = z
  .strictObject({
    errorClasses: z.partialRecord(z.enum(ERROR_CLASSES), errorClassOverride).optional(),
    backoff: z
      .strictObject({ multiplier: z.number().min(1).optional(), maxDelay: duration.optional(), minDelay: duration.optional() })
      .transform((o) => defined({ multiplier: o.multiplier, maxDelayMs: o.maxDelay, minDelayMs: o.minDelay }))
      .optional(),
    activities: z.partialRecord(z.enum(ACTIVITY_KINDS), activityOverride).optional(),
    breaker: breakerOverride.optional(),
    rateLimits: rateLimitOverride.optional(),
    writes: writeOverride.optional(),
  })
  .transform((o): PolicyOverrides => defined(o));

export type ReliabilityOverridesInput = z.input<typeof reliabilityOverridesSchema>;
