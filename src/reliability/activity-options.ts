/**
 * Temporal activity options derived from a policy set (policies.ts): the retry policy and the
 * proxyActivities options of each activity kind. Workflows import this module, so it must stay pure:
 * no Node APIs, no I/O (types only from @temporalio/common). Durations are in milliseconds, which
 * Temporal takes as plain numbers.
 */
import type { ActivityOptions, RetryPolicy } from '@temporalio/common';
import { DEFAULT_POLICIES, ERROR_CLASSES, budgetSpentType, type ActivityKind, type Policies } from './policies';

/** Failure types that must never be retried, whatever the failure's own flag says. */
export function nonRetryableErrorTypes(policies: Policies = DEFAULT_POLICIES): string[] {
  const retryable = ERROR_CLASSES.filter((c) => policies.errorClasses[c].attempts > 0);
  const final = ERROR_CLASSES.filter((c) => policies.errorClasses[c].attempts === 0);
  return [...final, ...retryable.map(budgetSpentType)];
}

export function retryPolicy(kind: ActivityKind, policies: Policies = DEFAULT_POLICIES): RetryPolicy {
  const activity = policies.activities[kind];
  return {
    initialInterval: activity.initialIntervalMs,
    backoffCoefficient: policies.backoff.multiplier,
    // Temporal refuses a retry policy whose maximum is below its initial interval (the workflow task would
    // fail on every attempt), so a small backoff cap from config never goes below the initial interval
    maximumInterval: Math.max(policies.backoff.maxDelayMs, activity.initialIntervalMs),
    maximumAttempts: activity.maximumAttempts,
    nonRetryableErrorTypes: nonRetryableErrorTypes(policies),
  };
}

/** proxyActivities options for one activity kind. */
export function activityOptions(kind: ActivityKind, policies: Policies = DEFAULT_POLICIES): ActivityOptions {
  const activity = policies.activities[kind];
  const options: ActivityOptions = { startToCloseTimeout: activity.startToCloseTimeoutMs, retry: retryPolicy(kind, policies) };
  if (activity.scheduleToCloseTimeoutMs !== undefined) options.scheduleToCloseTimeout = activity.scheduleToCloseTimeoutMs;
  if (activity.heartbeatTimeoutMs !== undefined) options.heartbeatTimeout = activity.heartbeatTimeoutMs;
  return options;
}

/**
 * Options for the inserts of a redundant write: the storeInsert policy, with the pause between attempts
 * capped so a store that comes back while a write waits for quorum is noticed quickly, and a heartbeat
 * timeout so an insert lost with its worker is retried within seconds.
 */
export function writeInsertOptions(policies: Policies = DEFAULT_POLICIES): ActivityOptions {
  const options = activityOptions('storeInsert', policies);
  const cap = Math.max(Math.min(policies.writes.insertRetryMaxIntervalMs, policies.backoff.maxDelayMs), policies.activities.storeInsert.initialIntervalMs);
  return { ...options, heartbeatTimeout: policies.writes.insertHeartbeatTimeoutMs, retry: { ...options.retry, maximumInterval: cap } };
}

/**
 * Options for an insert of a batch staged in a worker (src/activities/staging.ts): the insert options, on that
 * worker's own task queue, given up after writes.stagedStartTimeoutMs when no worker takes it there (a
 * schedule-to-start timeout is never retried: the worker is gone).
 */
export function stagedInsertOptions(stagedOn: string, policies: Policies = DEFAULT_POLICIES): ActivityOptions {
  return { ...writeInsertOptions(policies), taskQueue: stagedOn, scheduleToStartTimeout: policies.writes.stagedStartTimeoutMs ?? DEFAULT_POLICIES.writes.stagedStartTimeoutMs };
}
