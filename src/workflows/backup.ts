import { ActivityFailure, ApplicationFailure, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { backupIdAt } from '../domain/backup';
import { activityOptions } from '../reliability/activity-options';
import { DEFAULT_POLICIES } from '../reliability/policies';
import { backupStatusQuery, type BackupInput, type BackupOutcome, type BackupStatus } from './backup-api';

const SOURCE = 'BackupWorkflow';

export function failureMessage(err: unknown): string {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * One backup (docs/backups.md): export the batches recorded since the previous backup (or all of them, for
 * a full one) into encrypted chunks with a manifest, then verify what was written (every chunk read back, its
 * SHA-256 and AES-GCM tag checked, so it is the very bytes whose batches and row counts the writer walked as it
 * sealed them; the batch list and totals against the manifest). A backup that fails verification is marked bad
 * and raises a critical alert; a backup that cannot be taken raises one too, and the run fails. The backup
 * id is made here from the workflow's (deterministic) clock and random numbers; the key never passes here.
 */
export async function BackupWorkflow(input: BackupInput = {}): Promise<BackupOutcome> {
  const policies = input.policies ?? DEFAULT_POLICIES;
  const { exportBackup, verifyBackup } = proxyActivities<Activities>(activityOptions('backupExport', policies));
  const { raiseAlert, resolveAlert } = proxyActivities<Activities>(activityOptions('alert', policies));
  const backupId = backupIdAt(Date.now(), Math.random());
  const status: BackupStatus = { phase: 'export', backupId };
  setHandler(backupStatusQuery, () => status);
  const alert = (key: string, severity: 'warning' | 'critical', message: string) =>
    raiseAlert({ key, severity, source: `${SOURCE} ${workflowInfo().workflowId}`, message }).catch(() => undefined);

  let exported;
  try {
    exported = await exportBackup({ backupId, full: input.full });
  } catch (err) {
    status.phase = 'failed';
    status.error = failureMessage(err);
    await alert('backup-failed', 'critical', `backup ${backupId} could not be taken: ${status.error}`);
    throw ApplicationFailure.create({ type: 'backup_failed', message: `backup ${backupId} failed: ${status.error}`, nonRetryable: true });
  }
  status.phase = 'verify';
  let state: 'verified' | 'bad';
  let problem: string | undefined;
  try {
    // the export walked every chunk as it wrote it (an export by an older worker did not: walked absent)
    const report = await verifyBackup({ backupId, walk: exported.walked !== true });
    state = report.state === 'verified' ? 'verified' : 'bad';
    problem = report.problems[0];
  } catch (err) {
    state = 'bad';
    problem = failureMessage(err);
  }
  if (state === 'bad') {
    await alert(`backup-bad/${backupId}`, 'critical', `backup ${backupId} failed verification and is marked bad: ${problem}`);
  } else {
    await resolveAlert({ key: 'backup-failed', source: SOURCE, message: `backup ${backupId} taken and verified` }).catch(() => undefined);
  }
  if (exported.deferred > 0) {
    await alert(`backup-deferred/${backupId}`, 'warning', `backup ${backupId}: ${exported.deferred} batch(es) could not be read from any store; the next backup tries them again (\`marketprism replicas check\`)`);
  }
  status.phase = 'done';
  const { keyId: _keyId, sources: _sources, ...rest } = exported;
  return { ...rest, state, ...(problem && { problem }) };
}
