/**
 * What can be wrong with a backup, each as a one-line message that names the file (relative to the backup
 * store, e.g. `20250101T000000Z-1a2b3c/chunks/000002.bin`) and what is wrong with it. The CLI prints the
 * message as it is; activities turn these into non-retryable failures (a corrupt file stays corrupt).
 */
export class BackupError extends Error {
  override name = 'BackupError';
}

/** A file of the backup exists but its content is not what the manifest or the format says. */
export class BackupCorruptError extends BackupError {
  override name = 'BackupCorruptError';
  constructor(
    readonly file: string,
    what: string,
  ) {
    super(`${file}: ${what}`);
  }
}

/** A file the backup (or its chain) needs is not in the backup store. */
export class BackupMissingError extends BackupError {
  override name = 'BackupMissingError';
  constructor(
    readonly file: string,
    what: string,
  ) {
    super(`${file}: ${what}`);
  }
}

/** No key, a malformed key, or a backup written with a key that is not at hand. */
export class BackupKeyError extends BackupError {
  override name = 'BackupKeyError';
}

/** The backup store itself could not be reached or refused a request (retryable). */
export class BackupStoreError extends BackupError {
  override name = 'BackupStoreError';
}
