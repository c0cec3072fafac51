import { backupIdTime, isBackupId, type BackupState } from '../domain/backup';
import { BackupError } from './errors';
import { readManifest } from './archive-reader';
import { backupFile, type BackupManifest } from './manifest';
import type { BackupStore } from './store';

/**
 * What a backup store holds, for `backup list`, choosing a parent, and retention. A backup's verification
 * result is kept beside its manifest in `state.json` (the manifest itself never changes once written).
 */
export const STATE_FILE = 'state.json';

export interface StateRecord {
  state: BackupState;
  /** epoch ms of the check */
  checkedAt: number;
  /** the first problem found, when bad */
  problem?: string;
}

/** One backup as `backup list` shows it: its manifest's identity and totals, and its last check's state. */
export interface BackupSummary extends Pick<BackupManifest, 'backupId' | 'parentId' | 'kind' | 'keyId' | 'createdAt' | 'completedAt'> {
  batches: number;
  rows: number;
  bytes: number;
  state: BackupState | 'incomplete';
  problem?: string;
}

export async function writeState(store: BackupStore, backupId: string, record: StateRecord): Promise<void> {
  await store.put(backupFile(backupId, STATE_FILE), Buffer.from(`${JSON.stringify(record)}\n`));
}

export async function readState(store: BackupStore, backupId: string): Promise<StateRecord | undefined> {
  const data = await store.get(backupFile(backupId, STATE_FILE));
  if (!data) return undefined;
  try {
    return JSON.parse(data.toString('utf8')) as StateRecord;
  } catch {
    return { state: 'bad', checkedAt: 0, problem: `${backupFile(backupId, STATE_FILE)}: not JSON` };
  }
}

export function summarize(m: BackupManifest, state: StateRecord | undefined): BackupSummary {
  return {
    backupId: m.backupId,
    parentId: m.parentId,
    kind: m.kind,
    keyId: m.keyId,
    createdAt: m.createdAt,
    completedAt: m.completedAt,
    batches: m.totals.batches,
    rows: m.totals.rows,
    bytes: m.totals.bytes,
    state: state?.state ?? 'unverified',
    ...(state?.problem && { problem: state.problem }),
  };
}

/**
 * Every backup in the store, oldest first, from the manifests alone (no key needed). A folder without a
 * manifest is a backup that never finished ('incomplete'); an unreadable manifest makes it 'bad'.
 * Oldest first means by the manifest's createdAt (ms): an id names only its second, and two backups
 * started in the same second would otherwise sort by their random suffix (the newest is the next parent).
 */
export async function listBackups(store: BackupStore): Promise<BackupSummary[]> {
  const out: BackupSummary[] = [];
  for (const id of (await store.folders()).filter(isBackupId)) {
    const state = await readState(store, id);
    try {
      out.push(summarize(await readManifest(store, id), state));
    } catch (err) {
      if (!(err instanceof BackupError)) throw err;
      const incomplete = err.name === 'BackupMissingError';
      out.push({
        backupId: id,
        parentId: null,
        kind: 'full',
        keyId: '',
        createdAt: 0,
        completedAt: 0,
        batches: 0,
        rows: 0,
        bytes: 0,
        state: incomplete ? 'incomplete' : 'bad',
        ...(!incomplete && { problem: err.message }),
      });
    }
  }
  const startedAt = (b: BackupSummary): number => b.createdAt || backupIdTime(b.backupId);
  return out.sort((a, b) => startedAt(a) - startedAt(b) || (a.backupId < b.backupId ? -1 : a.backupId > b.backupId ? 1 : 0));
}
