import { defineQuery } from '@temporalio/workflow';
import type { BackupCounts } from '../domain/backup';
import type { RestoreTable } from '../domain/backup-tables';
import type { Policies } from '../reliability/policies';

/**
 * The contract of BackupWorkflow, RestoreWorkflow and RetentionWorkflow with their callers (`marketprism
 * backup|restore`, the schedules): inputs, results and queries. Kept apart from the workflows so callers import
 * no workflow code and no activity types. No input carries a key or a secret: workers read the backup key
 * from their own env or key file.
 */

export interface BackupInput {
  /** a full backup even when there is a chain to continue */
  full?: boolean;
  /** the config's reliability overrides (absent = DEFAULT_POLICIES) */
  policies?: Policies;
}

export type BackupPhase = 'export' | 'verify' | 'done' | 'failed';

export interface BackupStatus {
  phase: BackupPhase;
  backupId: string;
  error?: string;
}

export interface BackupOutcome extends BackupCounts {
  /** verified: every chunk decrypted and matched the manifest; bad: see problem (an alert was raised) */
  state: 'verified' | 'bad';
  problem?: string;
}

export interface RestoreInput {
  backupId: string;
  /** the target store (a configured store id) */
  store: string;
  /** restore into this database of the store instead of its configured one */
  database?: string;
  /** only these tables (batch tables, 'alerts'); all when absent */
  tables?: RestoreTable[];
  /** drop `database` when done, pass or fail (`backup verify --restore-test`; only scratch names are accepted) */
  dropAfter?: boolean;
  policies?: Policies;
  /** carried through continue-as-new */
  carried?: RestoreProgress & { next: { step: number; chunk: number } };
}

export type RestorePhase = 'plan' | 'restore' | 'verify' | 'done' | 'failed';

export interface RestoreProgress {
  phase: RestorePhase;
  backupId: string;
  store: string;
  chunksDone: number;
  chunksTotal: number;
  batchesRestored: number;
  batchesSkipped: number;
  rows: number;
  /** batches of the chain (of the chosen tables) */
  batches: number;
  error?: string;
}

export interface RestoreOutcome extends RestoreProgress {
  /** batches checked against the target after the restore */
  verified: number;
  /** batches the backup could not include (deferred by its last backup) */
  deferred: number;
}

export interface RetentionInput {
  /** keep backups younger than this (ms); older ones go unless a kept backup needs them */
  retentionMs: number;
  policies?: Policies;
}

export interface RetentionOutcome {
  deleted: string[];
  keptAsParents: string[];
  kept: number;
  incompleteRemoved: string[];
}

export const backupStatusQuery = defineQuery<BackupStatus>('status');
export const restoreProgressQuery = defineQuery<RestoreProgress>('progress');

/** Workflow ids: one manual backup at a time; restores by target; schedules by name. */
export const MANUAL_BACKUP_WORKFLOW_ID = 'backup/manual';
export function restoreWorkflowId(store: string, database: string | undefined, backupId: string): string {
  return `restore/${store}${database ? `/${database}` : ''}/${backupId}`;
}
export const BACKUP_SCHEDULE_ID = 'marketprism-backup';
export const RETENTION_SCHEDULE_ID = 'marketprism-retention';
/** Schedule-started runs get workflow ids `<prefix>-<time>` from Temporal. */
export const SCHEDULED_BACKUP_WORKFLOW_ID = 'backup/scheduled';
export const SCHEDULED_RETENTION_WORKFLOW_ID = 'retention/scheduled';
