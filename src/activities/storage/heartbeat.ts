import { Context } from '@temporalio/activity';

/**
 * Heartbeats when running as a Temporal activity (long kinds like repairCopy have a heartbeat timeout);
 * a no-op when the function is called directly (CLI, tests).
 */
export function heartbeat(details?: unknown): void {
  let ctx: Context;
  try {
    ctx = Context.current();
  } catch {
    return;
  }
  ctx.heartbeat(details);
}

/**
 * Heartbeats every `intervalMs` until the returned stop function is called: for a single long call (an
 * insert) that cannot report progress itself, so a worker that dies mid-call is noticed within the
 * activity's heartbeat timeout instead of its whole start-to-close timeout.
 */
export function keepHeartbeating(intervalMs = 2_000): () => void {
  heartbeat();
  const timer = setInterval(() => heartbeat(), intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
