/**
 * Backoff as small pure functions, in the manner of cockatiel's backoff generators: an exponential
 * ceiling, full jitter below it, and the named delays built from the two with the numbers of a policy
 * set (policies.ts). Workflows import this module for their timers, so it must stay pure: no Node APIs,
 * no I/O. Every delay is in milliseconds; attempts, rounds and probes count from 1.
 */
import { DEFAULT_POLICIES, type ErrorClass, type Policies } from './policies';

/**
 * Exponential ceiling of attempt `attempt` (1-based; floored, anything below 1 counts as 1):
 * `baseMs × multiplier^(attempt - 1)`, capped at `maxMs`. `baseMs` and `maxMs` in ms, `multiplier` ≥ 1.
 */
export function exponentialCeilingMs(baseMs: number, multiplier: number, maxMs: number, attempt: number): number {
  const exponent = Math.max(0, Math.floor(attempt) - 1);
  return Math.min(maxMs, baseMs * multiplier ** exponent);
}

/**
 * Full jitter: a delay uniform in `[floorMs, ceilingMs]` (both ms), rounded to whole ms. The floor never
 * exceeds the ceiling (a floor above it gives the ceiling). `draw` is one draw in [0, 1) such as
 * Math.random() returns: 0 gives the floor, ~1 the ceiling; a draw outside [0, 1] is clamped to it.
 */
export function fullJitterMs(ceilingMs: number, floorMs: number, draw: number): number {
  const floor = Math.min(floorMs, ceilingMs);
  const r = Math.min(Math.max(draw, 0), 1);
  return Math.round(floor + r * (ceilingMs - floor));
}

/**
 * Workflow timers stop growing at attempt 31 (exponent 30): a round or probe loop that runs for days never
 * computes multiplier^n into Infinity (and base 0 × Infinity = NaN, a timer Temporal would refuse).
 */
const TIMER_MAX_ATTEMPT = 31;

/** The exponential backoff ceiling (ms) after failed attempt `attempt` (1-based) of `errorClass`, before jitter. */
export function backoffCeilingMs(errorClass: ErrorClass, attempt: number, policies: Policies = DEFAULT_POLICIES): number {
  const { multiplier, maxDelayMs } = policies.backoff;
  return exponentialCeilingMs(policies.errorClasses[errorClass].baseDelayMs, multiplier, maxDelayMs, attempt);
}

/**
 * Delay (ms) before the retry that follows failed attempt `attempt` (1-based): full jitter, uniform in
 * [minDelayMs, ceiling], so many workers failing together spread their retries over the whole interval
 * instead of retrying in lock-step. `random` returns [0, 1) like Math.random (injected for tests;
 * inside workflows Temporal makes Math.random deterministic).
 */
export function retryDelayMs(errorClass: ErrorClass, attempt: number, random: () => number = Math.random, policies: Policies = DEFAULT_POLICIES): number {
  const ceiling = backoffCeilingMs(errorClass, attempt, policies);
  return fullJitterMs(ceiling, policies.backoff.minDelayMs, random());
}

/**
 * Pause (ms) before write round `round + 1` against a store whose insert retries were spent in round
 * `round` (1-based): roundBaseDelayMs × multiplier^(round-1), capped at roundMaxDelayMs. No jitter: a workflow timer.
 */
export function writeRoundDelayMs(round: number, policies: Policies = DEFAULT_POLICIES): number {
  const { roundBaseDelayMs, roundMaxDelayMs } = policies.writes;
  return exponentialCeilingMs(roundBaseDelayMs, policies.backoff.multiplier, roundMaxDelayMs, Math.min(Math.floor(round), TIMER_MAX_ATTEMPT));
}

/**
 * Pause (ms) after failed health probe `probe` (1-based) of a lagging store, before the next one:
 * repairProbeBaseDelayMs × multiplier^(probe-1), capped at repairProbeMaxDelayMs. No jitter: a workflow timer.
 */
export function repairProbeDelayMs(probe: number, policies: Policies = DEFAULT_POLICIES): number {
  const { repairProbeBaseDelayMs, repairProbeMaxDelayMs } = policies.writes;
  return exponentialCeilingMs(repairProbeBaseDelayMs, policies.backoff.multiplier, repairProbeMaxDelayMs, Math.min(Math.floor(probe), TIMER_MAX_ATTEMPT));
}
