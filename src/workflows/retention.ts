import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { activityOptions } from '../reliability/activity-options';
import { DEFAULT_POLICIES } from '../reliability/policies';
import type { RetentionInput, RetentionOutcome } from './backup-api';

/**
 * Deletes backups older than the retention period that no kept backup needs as a parent, keeping the newest
 * good backup's chain whatever its age (src/backup/retention.ts). Scheduled beside the backups.
 */
export async function RetentionWorkflow(input: RetentionInput): Promise<RetentionOutcome> {
  const { applyRetention } = proxyActivities<Activities>(activityOptions('admin', input.policies ?? DEFAULT_POLICIES));
  return applyRetention({ retentionMs: input.retentionMs });
}
