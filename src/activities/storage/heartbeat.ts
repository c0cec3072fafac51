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
