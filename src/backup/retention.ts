import { backupIdTime } from '../domain/backup';
import { listBackups, type BackupSummary } from './catalog';
import type { BackupStore } from './store';

/**
 * Retention: backups older than the retention period are deleted, except
 *  - any backup a kept backup needs, directly or through its parents, to be restored (its chain), and
 *  - the newest backup that is not bad, with its chain, even when it is older than the period (backups that
 *    stopped running must not end in an empty store).
 * Chains are cut by full backups (a new one once the chain's full backup is `backup.fullEvery` old), so old
 * chains become deletable as a whole. Folders of backups that never finished (no manifest) are removed once
 * they are older than `incompleteAfterMs` (a crashed run's leftovers, not a backup still being written).
 */
export interface RetentionOptions {
  retentionMs: number;
  now: number;
  incompleteAfterMs?: number;
}

export interface RetentionResult {
  deleted: string[];
  /** expired, but a kept backup needs them as parents */
  keptAsParents: string[];
  kept: number;
  incompleteRemoved: string[];
}

export const INCOMPLETE_AFTER_MS = 6 * 3_600_000;

/** Which backups may go; pure, so it can be tested on listings. */
export function retentionPlan(backups: readonly BackupSummary[], opts: RetentionOptions): RetentionResult {
  const complete = backups.filter((b) => b.state !== 'incomplete');
  const byId = new Map(complete.map((b) => [b.backupId, b]));
  const expired = (b: BackupSummary): boolean => (b.createdAt || backupIdTime(b.backupId)) < opts.now - opts.retentionMs;
  const keep = new Set(complete.filter((b) => !expired(b)).map((b) => b.backupId));
  const newestGood = complete.filter((b) => b.state !== 'bad').at(-1);
  if (newestGood) keep.add(newestGood.backupId);
  const needed = new Set<string>();
  for (const id of keep) {
    for (let p = byId.get(id)?.parentId ?? null; p !== null && !needed.has(p); p = byId.get(p)?.parentId ?? null) needed.add(p);
  }
  const deleted = complete.filter((b) => !keep.has(b.backupId) && !needed.has(b.backupId)).map((b) => b.backupId);
  const keptAsParents = complete.filter((b) => !keep.has(b.backupId) && needed.has(b.backupId)).map((b) => b.backupId);
  const incompleteRemoved = backups
    .filter((b) => b.state === 'incomplete' && backupIdTime(b.backupId) < opts.now - (opts.incompleteAfterMs ?? INCOMPLETE_AFTER_MS))
    .map((b) => b.backupId);
  return { deleted, keptAsParents, kept: complete.length - deleted.length, incompleteRemoved };
}

/** Applies the plan: children before parents, so a crash midway never leaves a kept backup without its parent. */
export async function applyRetention(store: BackupStore, opts: RetentionOptions): Promise<RetentionResult> {
  const plan = retentionPlan(await listBackups(store), opts);
  for (const id of [...plan.deleted].reverse()) await store.removeFolder(id);
  for (const id of plan.incompleteRemoved) await store.removeFolder(id);
  return plan;
}
