import { decodeRetryState } from '@temporalio/common';
import type { Client } from '@temporalio/client';

export interface ActivityOutcome {
  activityType: string;
  /** attempt number of the last attempt, as recorded in ActivityTaskStarted */
  attempt: number;
  failureType?: string | null;
  nonRetryable?: boolean | null;
  message?: string | null;
  retryState?: string;
  /** the failure of the attempt before the last one, with the retry delay it asked for */
  previousFailureType?: string | null;
  previousNextRetryDelayMs?: number;
  /** from scheduling to the final failure, per the server's event times */
  elapsedMs: number;
}

function ms(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number | undefined {
  return d ? Number(d.seconds ?? 0) * 1000 + Math.round((d.nanos ?? 0) / 1e6) : undefined;
}

/** Failed activities of a workflow run, read from its history (not from logs). */
export async function failedActivities(client: Client, workflowId: string): Promise<ActivityOutcome[]> {
  const events = (await client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
  const byId = new Map(events.map((e) => [Number(e.eventId), e]));
  const out: ActivityOutcome[] = [];
  for (const event of events) {
    const failed = event.activityTaskFailedEventAttributes;
    if (!failed) continue;
    const scheduled = byId.get(Number(failed.scheduledEventId));
    const started = byId.get(Number(failed.startedEventId))?.activityTaskStartedEventAttributes;
    const info = failed.failure?.applicationFailureInfo;
    const previous = started?.lastFailure?.applicationFailureInfo;
    out.push({
      activityType: scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?',
      attempt: started?.attempt ?? 0,
      failureType: info?.type,
      nonRetryable: info?.nonRetryable,
      message: failed.failure?.message,
      retryState: decodeRetryState(failed.retryState),
      previousFailureType: previous?.type,
      previousNextRetryDelayMs: ms(previous?.nextRetryDelay),
      elapsedMs: (ms(event.eventTime) ?? 0) - (ms(scheduled?.eventTime) ?? 0),
    });
  }
  return out;
}
