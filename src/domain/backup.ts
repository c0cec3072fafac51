/**
 * Backup ids: the UTC time the backup started and a random suffix, e.g. `20250102T030405Z-9f3a1c`. They sort
 * by time as text, are safe as file and object names, and are made in workflow code (deterministic time and
 * random number), so a replayed BackupWorkflow names the same backup.
 */
export const BACKUP_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

export function backupIdAt(epochMs: number, random: number): string {
  const iso = new Date(epochMs).toISOString(); // 2025-01-02T03:04:05.678Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  const suffix = Math.floor(random * 0x1000000).toString(16).padStart(6, '0');
  return `${stamp}-${suffix}`;
}

export function isBackupId(value: string): boolean {
  return BACKUP_ID.test(value);
}

/** Epoch ms of the second a backup id was made in. */
export function backupIdTime(backupId: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z/.exec(backupId);
  if (!m) return NaN;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** A backup's state: written and checked, written but failed its check, or written and not yet checked. */
export type BackupState = 'verified' | 'bad' | 'unverified';

/** What one backup run wrote: the part the export (src/backup/export.ts) and the workflow's outcome share. */
export interface BackupCounts {
  backupId: string;
  parentId: string | null;
  kind: 'full' | 'incremental';
  /** why it is a full backup, when it is */
  fullBecause?: string;
  batches: number;
  rows: number;
  bytes: number;
  chunks: number;
  /** batches seen in a ledger that no store could provide: the next backup tries them again */
  deferred: number;
  /** stores whose ledger could not be read (the backup came from the others) */
  unreachable: string[];
}
