import { ApplicationFailure } from '@temporalio/common';
import { BackupError, BackupStoreError } from '../../backup/errors';
import { BadRowError } from '../../storage/columns';
import { storeError } from '../../storage/errors';
import { BadIdentifierError } from '../../storage/identifiers';

/** Failure types of the backup activities (besides store failures, classified as usual). */
export const BACKUP_FAILURE_TYPES = {
  BackupCorruptError: 'backup_corrupt',
  BackupMissingError: 'backup_missing',
  BackupKeyError: 'backup_key',
  BackupError: 'backup_failed',
} as const;

/** Bad input no retry can fix (unknown store or backup id, a scratch database name that is not one). */
export class BadBackupInputError extends Error {
  override name = 'BadBackupInputError';
}

/**
 * What a backup activity throws: a damaged, missing or unreadable backup as a non-retryable failure whose
 * message is the one line naming the file and what is wrong (a retry cannot mend a file); a backup store that
 * could not be reached as retryable; a ClickHouse failure of the target store wrapped for classify().
 */
export function backupFailure(err: unknown, target?: { id: string; url: string }): Error {
  if (err instanceof ApplicationFailure) return err;
  if (err instanceof BadBackupInputError || err instanceof BadRowError || err instanceof BadIdentifierError) {
    return ApplicationFailure.create({ type: 'bad_request', message: err.message, nonRetryable: true });
  }
  if (err instanceof BackupStoreError) return ApplicationFailure.create({ type: 'server', message: err.message, nonRetryable: false });
  if (err instanceof BackupError) {
    const type = BACKUP_FAILURE_TYPES[err.name as keyof typeof BACKUP_FAILURE_TYPES] ?? BACKUP_FAILURE_TYPES.BackupError;
    return ApplicationFailure.create({ type, message: err.message, nonRetryable: true });
  }
  return target ? storeError(target.id, target.url, err) : (err as Error);
}
